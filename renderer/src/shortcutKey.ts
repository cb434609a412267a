// Which key a single-key shortcut sees. Shortcuts are letters as the layout types them (event.key),
// but in Korean (Hangul) input mode a letter key types a jamo ('ㅡ' for M) or, through an IME,
// 'Process': the physical letter (event.code 'KeyM') then stands in, so M still opens the metadata.

export interface KeyLike {
  key: string;
  code: string;
  shiftKey: boolean;
}

export function shortcutKey(event: KeyLike): string {
  const letter = /^Key([A-Z])$/.exec(event.code)?.[1];
  // A printable ASCII key (a letter on any Latin layout, AZERTY's A on KeyQ included) is what it says.
  if (!letter || /^[\x20-\x7e]$/.test(event.key)) return event.key;
  return event.shiftKey ? letter : letter.toLowerCase();
}
