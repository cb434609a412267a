// The message catalogues' types. English (en.ts) is the source; a translation must have exactly its
// keys (plural forms by the language's rules) and the same {{variables}} in each message, or tsc fails.

import type { en } from './en';

export type English = typeof en;

/** The {{name}} variables of a message. */
export type VarsOf<S> = S extends `${string}{{${infer V}}}${infer Rest}` ? V | VarsOf<Rest> : never;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** i18next's plural suffixes: English has one and other; Korean has only other (Intl.PluralRules). */
type SingularKey<K> = K extends `${string}_one` ? K : never;

/** The shape of a Korean catalogue: English's keys, less the `_one` plural forms Korean does not use. */
export type KoreanCatalogue<E = English> = {
  readonly [K in keyof E as K extends SingularKey<K> ? never : K]: E[K] extends string ? string : KoreanCatalogue<E[K]>;
};

/** The keys (dotted) whose variables differ between two catalogues; never when none do. */
type VarMismatch<E, T, P extends string = ''> = {
  [K in keyof E & keyof T & string]: E[K] extends string
    ? Same<VarsOf<E[K]>, VarsOf<T[K]>> extends true
      ? never
      : `${P}${K}`
    : VarMismatch<E[K], T[K], `${P}${K}.`>;
}[keyof E & keyof T & string];

/** `true` when every message of T has the variables of English's; else names the keys that differ. */
export type SameVariables<T, E = English> = [VarMismatch<E, T>] extends [never] ? true : { variablesDiffer: VarMismatch<E, T> };

type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];

type PluralBase<K> = K extends `${infer B}_one` ? B : K extends `${infer B}_other` ? B : K;

/** Every key a message can be asked for by (a plural one by its base name, with `count`). */
export type MessageKey = PluralBase<Leaves<English>>;

type Lookup<T, K extends string> = K extends `${infer H}.${infer R}`
  ? H extends keyof T
    ? Lookup<T[H], R>
    : never
  : K extends keyof T
    ? T[K]
    : `${K}_other` extends keyof T
      ? T[`${K}_other`]
      : never;

/** The message a key names (the `other` form of a plural). */
export type MessageOf<K extends MessageKey> = Lookup<English, K>;

/** Keys with plural forms: they take a `count`, whether or not a form shows it. */
type PluralKey = Leaves<English> extends infer L ? (L extends `${infer B}_other` ? B : never) : never;

type VariablesOf<K extends MessageKey> = VarsOf<MessageOf<K>> | (K extends PluralKey ? 'count' : never);

type Values<K extends MessageKey> = { readonly [V in VariablesOf<K>]: V extends 'count' ? number : string | number };

/** A key's values: none for a message without variables, else every variable it has. */
export type ValuesArg<K extends MessageKey> = [VariablesOf<K>] extends [never] ? [] : [values: Values<K>];

/** The typed translate function every process uses (i18next's t, narrowed to the catalogue). */
export type Translate = <K extends MessageKey>(key: K, ...values: ValuesArg<K>) => string;

/** Keys of messages without variables: what a table of labels may name. */
export type PlainKey = { [K in MessageKey]: ValuesArg<K> extends [] ? K : never }[MessageKey];
