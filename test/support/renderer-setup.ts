// jsdom lays nothing out, so it has no ResizeObserver: this one reports only when a test says an
// element was resized (`resize(element)`), with whatever size the test gave the element.
const observers = new Set<{ callback: ResizeObserverCallback; targets: Set<Element>; self: ResizeObserver }>();

class TestResizeObserver implements ResizeObserver {
  private readonly entry: { callback: ResizeObserverCallback; targets: Set<Element>; self: ResizeObserver };
  constructor(callback: ResizeObserverCallback) {
    this.entry = { callback, targets: new Set(), self: this };
    observers.add(this.entry);
  }
  observe(target: Element) {
    this.entry.targets.add(target);
  }
  unobserve(target: Element) {
    this.entry.targets.delete(target);
  }
  disconnect() {
    observers.delete(this.entry);
  }
}

globalThis.ResizeObserver = TestResizeObserver;

export function resize(element: Element, width: number, height: number) {
  Object.defineProperty(element, 'clientWidth', { configurable: true, value: width });
  Object.defineProperty(element, 'clientHeight', { configurable: true, value: height });
  for (const o of observers) if (o.targets.has(element)) o.callback([{ target: element } as ResizeObserverEntry], o.self);
}
