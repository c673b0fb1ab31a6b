// What the widget keeps of a conversation in sessionStorage: everything it shows, except a
// ticket code. The code opens the ticket and the staff's answer for whoever types it, and any
// script on the embedding page can read sessionStorage, which outlives the page view. So the
// code is shown once, on the screen of the page view in which the ticket was made (with a button
// to copy it), and is never written to storage: after a reload the message says where it was.
export const CODE_HIDDEN = "(code niet meer zichtbaar)";

export function storable(item) {
  const code = item && item.custom && item.custom.code;
  if (!code) return item;
  return {
    ...item,
    text: String(item.text || "").split(code).join(CODE_HIDDEN),
    custom: { ...item.custom, code: null, codeShown: true },
  };
}
