import type { ReactNode } from 'react';
import { ErrorBanner } from './ErrorBanner';
import { Header } from './Header';

/** A page of the panel beside the workspace: the header, errors, and its own content under a title. */
export function Page({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="admin">
      <Header />
      <ErrorBanner />
      <main className="admin-body">
        <h1>{title}</h1>
        {children}
      </main>
    </div>
  );
}
