/**
 * metaindex — the names of the metaindex block's entries (docs/FORMAT.md "Metaindex block"): name → block
 * handle, restart interval 1, sorted bytewise. Readers ignore names they do not know.
 * DO NOT CHANGE: embedded in on-disk data.
 */

export const METAINDEX_FILTER = 'lsmkv.filter.bloom';
export const METAINDEX_PROPERTIES = 'lsmkv.properties';
