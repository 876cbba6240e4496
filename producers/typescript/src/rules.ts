/** The shape of the field rules that scripts/generate-contract.mjs derives from the schema. */

export type ValueRule =
  | {
      type: "string";
      minLength?: number;
      maxLength?: number;
      pattern?: string;
      format?: "uuid" | "date-time";
    }
  | { type: "integer"; minimum?: number; maximum?: number }
  | { type: "enum"; values: readonly string[] }
  | { type: "const"; value: string | number }
  | { type: "object"; ref: string };

export interface FieldRule {
  nullable: boolean;
  rule: ValueRule;
}

export interface ObjectRule {
  name: string;
  required: readonly string[];
  fields: Readonly<Record<string, FieldRule>>;
}
