// Typing, both ways, for the desk's conversation and the web chat's frame.
import { useState, useEffect, useRef } from '/vendor/hooks.mjs';

const SHOWN_MS = 6000; // the other side's typing is shown this long
const EVERY_MS = 3000; // ours is sent at most this often

// Whether the other side's typing is shown: signal changes with each of
// its typing signals (a time or a counter; falsy: none yet).
export function useTypingShown(signal) {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (!signal) return undefined;
    setShown(true);
    const id = setTimeout(() => setShown(false), SHOWN_MS);
    return () => clearTimeout(id);
  }, [signal]);
  return shown;
}

// A function to call with the composer's text as it changes: it sends our
// typing signal through send() at most every EVERY_MS, while there is text.
export function useTypingSender(send) {
  const last = useRef(0);
  return (text) => {
    const now = Date.now();
    if (text && now - last.current > EVERY_MS) {
      last.current = now;
      send().catch(() => {});
    }
  };
}
