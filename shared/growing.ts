// A typed array that doubles as it fills: the flat arrays of a file read a part at a time (QuPath's
// detections, a GeoJSON text's feature ranges), which as JS lists of numbers would take the heap.

type Typed = Float32Array | Float64Array | Uint32Array | Uint16Array | Uint8Array;

export class Growing<T extends Typed> {
  #data: T;
  length = 0;
  constructor(private readonly make: (length: number) => T) {
    this.#data = make(1024);
  }
  push(value: number): void {
    this.put(this.length, value);
  }
  /** The array, with room for `extra` values past `length` (written by the caller, who then moves `length` on). */
  reserve(extra: number): T {
    if (this.length + extra > this.#data.length) this.#grow(this.length + extra);
    return this.#data;
  }
  /** Sets the value at `index`, at or past the end (what lies between keeps `make`'s fill). */
  put(index: number, value: number): void {
    if (index >= this.#data.length) this.#grow(index + 1);
    this.#data[index] = value;
    this.length = Math.max(this.length, index + 1);
  }
  #grow(least: number): void {
    const bigger = this.make(Math.max(least, this.#data.length * 2));
    bigger.set(this.#data);
    this.#data = bigger;
  }
  done(): T {
    return this.#data.slice(0, this.length) as T;
  }
}
