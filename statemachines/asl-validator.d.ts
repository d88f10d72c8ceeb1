// asl-validator (a dependency of aws-local-stepfunctions, which validates definitions with it) ships no types.
declare module 'asl-validator' {
  type AslError = { 'Error code': string; Message: string }
  export default function aslValidator(definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }): { isValid: boolean; errors: AslError[] }
}
