// goose and dbmate keep both directions in one file, separated by marker comments. The catalog must replay only
// the up section of earlier files, and the analyzer checks each section against its own context.
//   goose:  -- +goose Up … -- +goose Down …   (https://pressly.github.io/goose/documentation/annotations/)
//   dbmate: -- migrate:up … -- migrate:down … (https://github.com/amacneil/dbmate#creating-migrations)

export interface MigrationSections {
  /** UTF-16 offsets [start, end) of the up section (the whole text when the file has no markers). */
  up: [number, number];
  /** The down section, when the file has one. */
  down?: [number, number];
  /** Options written after a dbmate marker (`-- migrate:up transaction:false`) or goose's NO TRANSACTION. */
  noTransaction: boolean;
}

const MARKER = /^[ \t]*--[ \t]*(?:\+goose[ \t]+(up|down)|migrate:(up|down))\b(.*)$/gim;

export function migrationSections(text: string): MigrationSections {
  const markers: { direction: 'up' | 'down'; start: number; end: number }[] = [];
  let noTransaction = /^[ \t]*--[ \t]*\+goose[ \t]+NO[ \t]+TRANSACTION\b/im.test(text);
  for (const m of text.matchAll(MARKER)) {
    const direction = (m[1] ?? m[2])!.toLowerCase() as 'up' | 'down';
    if (direction === 'up' && /transaction:false/i.test(m[3] ?? '')) noTransaction = true;
    markers.push({ direction, start: m.index!, end: m.index! + m[0].length });
  }
  const up = markers.find((m) => m.direction === 'up');
  const down = markers.find((m) => m.direction === 'down');
  if (!up && !down) return { up: [0, text.length], noTransaction };
  const sectionAfter = (marker: { end: number }): [number, number] => {
    const next = markers.find((m) => m.start > marker.end);
    return [marker.end, next ? next.start : text.length];
  };
  return {
    // Text before the first marker belongs to no section; a file with only a down marker has an empty up section.
    up: up ? sectionAfter(up) : [0, 0],
    ...(down ? { down: sectionAfter(down) } : {}),
    noTransaction,
  };
}
