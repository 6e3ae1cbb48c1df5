export { avatarInitials, avatarUrlFor, renderAvatar } from './avatar.ts';
export { AVATAR_MAX_SIZE, AVATAR_MIN_SIZE, DEFAULT_MAX_CHARS } from './constants.ts';
export { PersonaFileError } from './errors.ts';
export { type Dynamic, INTERACTION_PATTERNS, type InteractionPattern, interaction } from './interaction.ts';
export { BUILTIN_CATALOG_DIR, builtinCatalog, type LoadCatalogOptions, loadCatalog } from './load.ts';
export { parsePersonaFile } from './parse-file.ts';
export {
  AXES,
  AXIS_LABELS,
  AXIS_NAMES,
  type Axis,
  type AxisValue,
  axesShort,
  BEHAVIOUR_KEYS,
  BEHAVIOUR_LABELS,
  type BehaviourKey,
  behaviourModifiers,
  traitLabels,
  VALUE_LABELS,
} from './personality.ts';
export { buildSystemPrompt, type SystemPromptOptions } from './prompt.ts';
export { PLAN_SECTION_LABELS } from './prompt-text.ts';
export { GROUPS_BY_PHASE, PLAN_SECTIONS, personaFileSchema } from './schema.ts';
export * from './types.ts';
