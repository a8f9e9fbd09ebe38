/** The outcome of an action: announced politely when it worked, as an alert when it did not. */
export interface NoticeData {
  ok: boolean;
  text: string;
}

export function Notice({ notice }: { notice: NoticeData | null }) {
  if (!notice) return null;
  return (
    <p role={notice.ok ? 'status' : 'alert'} className={notice.ok ? 'muted' : 'error-text'}>
      {notice.text}
    </p>
  );
}
