// The Flash image: every constant block a schedule's kernels read, packed with 16-byte alignment.
import type { ConstData } from '../models/ir.ts';

export const FLASH_ALIGN = 16;

export class FlashImageBuilder {
  private readonly offsets = new Map<ConstData, number>();
  private readonly blocks: ConstData[] = [];
  private size = 0;

  /** Offset of a block in the image; the same typed array is stored once however often it is used. */
  add(data: ConstData): number {
    const known = this.offsets.get(data);
    if (known !== undefined) return known;
    const offset = Math.ceil(this.size / FLASH_ALIGN) * FLASH_ALIGN;
    this.offsets.set(data, offset);
    this.blocks.push(data);
    this.size = offset + data.byteLength;
    return offset;
  }

  build(): Uint8Array {
    const image = new Uint8Array(this.size);
    for (const b of this.blocks) image.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), this.offsets.get(b)!);
    return image;
  }
}
