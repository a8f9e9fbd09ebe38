#!/bin/bash
# Healthy when the add-on socket and the UI server both accept connections.
(exec 3<>/dev/tcp/127.0.0.1/9876) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/3000) 2>/dev/null
