/**
 * The TML core: pure functions over ThoughtSpot's object documents, no I/O, nothing imported
 * from the rest of tmlsync (DESIGN.md module map).
 *
 * - read: parse() text (YAML or JSON) or fromData(); TmlParseError names file, line, column;
 * - write: format() the canonical YAML (byte-identical to ThoughtSpot's export), toJson(); each
 *   number as it was written (numbers.ts; copyTml() copies data and keeps that);
 * - kinds: one handler per kind behind a registry (kinds/); nothing else switches on kind;
 * - references and the reference graph: references(), resolveReferences(), dependencyOrder();
 * - offline validation: validate() → TmlIssue[] with file, line and ThoughtSpot-style path;
 * - slugify(): path-safe file-name part for object names.
 *
 * Mapping transforms (canonical ↔ environment GUIDs, connection/database/schema values) will
 * sit next to these as functions TmlDocument → TmlDocument, built on fromData().
 */
export { TmlParseError, yamlProblem } from './errors.js';
export { format, toJson } from './format.js';
export { KIND_LISTINGS, KINDS, handlerFor, handlerForKey, handlers, kindForMetadata, listedKind, listingSubtypes, metadataTypes, type KindListing } from './kinds/index.js';
export { fromData, parse, parseYaml } from './parse.js';
export { PARSE_LIMITS, type ParseLimits } from './limits.js';
export type { ParseOptions } from './parse.js';
export { formatPath, isMap } from './path.js';
export { list, text } from './kinds/shared.js';
export { bodiesOf, dependencyOrder, indexTargets, references, resolveReferences } from './references.js';
export type { BodyAt, ReferenceTarget, ResolveOptions, Resolution, ResolvedReference, TargetIndex } from './references.js';
export { slugify } from './slug.js';
export type { PrincipalChanges } from './principals.js';
export { applyMapping, invertMapping, type ValueMapping } from './mapping.js';
export { carryNumberForms, copyTml, numberFormsOf, restoreNumberForms } from './numbers.js';
export type {
  FieldRule,
  KindHandler,
  KnownObject,
  ListedMetadataType,
  LocalIssue,
  MetadataType,
  SearchColumn,
  TmlDocument,
  TmlFormat,
  TmlIssue,
  TmlIssueCode,
  TmlKind,
  TmlMap,
  TmlPath,
  TmlReference,
  TmlSeverity,
  TmlValue,
} from './types.js';
export { validate } from './validate.js';
export type { ValidateOptions } from './validate.js';
