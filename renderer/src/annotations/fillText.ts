// Sentences with placeholders ('Length {length}'), kept whole in each component's table of words so
// that a translator sees every sentence as one string, with its values filled in here.

export function fillText(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
