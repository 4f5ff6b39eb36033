/** The recipe registry: one file per recipe, one line here. */
import type { Recipe } from '../recipe';
import { createIndexConcurrently } from './create-index';
import { dropIndexConcurrently, reindexConcurrently } from './drop-index';
import { addConstraintNotValid } from './not-valid';
import { setNotNullViaCheck } from './set-not-null';
import { addColumnThenBackfill } from './add-column';
import { uniqueViaIndex } from './unique-constraint';
import { setTimeouts } from './timeouts';
import { batchUpdate } from './batch-update';
import { dropInLaterRelease } from './drop-later';
import { expandContract } from './expand-contract';

export const recipes: readonly Recipe[] = [createIndexConcurrently, dropIndexConcurrently, reindexConcurrently, addConstraintNotValid, setNotNullViaCheck, addColumnThenBackfill, uniqueViaIndex, setTimeouts, batchUpdate, dropInLaterRelease, expandContract];
