export function App() {
  return (
    <main className="app">
      <h1>Blender Lab</h1>
      <p>Your own Blender, in your own container.</p>
    </main>
  );
}
