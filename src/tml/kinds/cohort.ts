import { isMap } from '../path.js';
import type { KindHandler } from '../types.js';
import { DISPLAY_MODES, LOGICAL_TABLE_KINDS, identityListRules, identityRef, identityRefs } from './shared.js';

/** The enums of `CohortEDocProto` (thoughtspot/thoughtspot_tml `_scriptability.py`, generated from
 * ThoughtSpot's `edoc.proto`: `CohortTypeE`, `CohortGroupingTypeE`, `ConditionCombineTypeE`,
 * `ComparisonOperatorE`). `cohort_type` takes the grouping values too: the proto lists them in both. */
const COHORT_TYPES = ['SIMPLE', 'ADVANCED', 'GROUP_BASED', 'BIN_BASED', 'COLUMN_BASED'] as const;
const COHORT_GROUPING_TYPES = ['GROUP_BASED', 'BIN_BASED', 'COLUMN_BASED'] as const;
const CONDITION_COMBINE_TYPES = ['ALL', 'ANY'] as const;
const COMPARISON_OPERATORS = ['EQ', 'NE', 'LT', 'LE', 'GT', 'GE', 'BW', 'CONTAINS', 'NOT_CONTAINS', 'BEGINS_WITH', 'ENDS_WITH'] as const;

/**
 * Cohort, ThoughtSpot's "Set" (§3.1 `CohortEDocProto`): a column defined over a data source,
 * either SIMPLE (named groups of conditions, or bins, on one column) or ADVANCED (an embedded
 * answer whose result gives the set's values). It stands on the model, worksheet or table named
 * by `worksheet:` (or `config.worksheet`, which the proto has too), so a deploy imports it after that source,
 * and before the answers and liveboards that may use it.
 *
 * UNCONFIRMED: how ThoughtSpot lists cohorts. A set is a column of its data source, so its
 * headers are taken to be `LOGICAL_COLUMN`s of subtype `COHORT`, as formulas are `LOGICAL_COLUMN`s
 * of subtype `FORMULA` (thoughtspot/cs_tools `cs_tools/types.py` MetadataObjectSubtype). No source
 * says so: REST API v2's metadata types (SDK 2.24, the newest on the registry,
 * `MetadataListItemInput`) have no cohort type and document subtypes only for LOGICAL_TABLE
 * (`ONE_TO_ONE_LOGICAL`, `WORKSHEET`, `PRIVATE_WORKSHEET`, `USER_DEFINED`, `AGGR_WORKSHEET`,
 * `SQL_VIEW`), and the TML and metadata API pages name none. The listing is narrowed to that
 * subtype (listingSubtypes in kinds/index.ts), since the whole type is every column of every
 * table; the emulator lists cohorts so, over v1 and v2. Were ThoughtSpot to list them otherwise,
 * a pull would not find them (nothing else breaks): the handler's metadataType/subtypes are the
 * one place to change.
 */
export const cohort: KindHandler = {
  kind: 'cohort',
  keys: ['cohort'],
  metadataType: 'LOGICAL_COLUMN',
  subtypes: ['COHORT'],
  rank: 4,
  suffix: '.cohort.tml',
  rules: [
    { path: 'name', required: true, type: 'string' },
    { path: 'worksheet', type: 'map' },
    // An ADVANCED set's answer is an AnswerEDocProto, but exported without a name, so it is not
    // validated as a whole answer (nested): only its data sources and display mode are checked.
    { path: 'answer', type: 'map' },
    ...identityListRules('answer.tables', false),
    { path: 'answer.display_mode', enum: DISPLAY_MODES },
    { path: 'config', type: 'map' },
    { path: 'config.cohort_type', enum: COHORT_TYPES },
    { path: 'config.cohort_grouping_type', enum: COHORT_GROUPING_TYPES },
    { path: 'config.groups', type: 'list' },
    { path: 'config.groups[].name', required: true, type: 'string' },
    { path: 'config.groups[].combine_type', enum: CONDITION_COMBINE_TYPES },
    { path: 'config.groups[].conditions[].operator', enum: COMPARISON_OPERATORS },
  ],
  references: (body) => [
    ...identityRef(body.worksheet, ['worksheet'], LOGICAL_TABLE_KINDS),
    ...(isMap(body.config) ? identityRef(body.config.worksheet, ['config', 'worksheet'], LOGICAL_TABLE_KINDS) : []),
    ...identityRefs(body, ['answer', 'tables'], LOGICAL_TABLE_KINDS),
  ],
};
