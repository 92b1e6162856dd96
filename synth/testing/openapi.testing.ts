/**
 * Checks a built-in Kubernetes object against the OpenAPI schema of its kind, as the pinned
 * `kubernetes-models` package ships it (kubectl cannot validate without a server). Test support.
 */

interface Model {
  validate(): void;
}

type ModelClass = new (data: unknown) => Model;

function modelPath(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return group === '' ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
}

/**
 * Why the object does not match its kind's schema, or undefined when it does; an object whose
 * kind the package has no model for is a problem too ("no OpenAPI model").
 */
export async function openApiProblem(object: Readonly<Record<string, unknown>>): Promise<string | undefined> {
  const apiVersion = String(object['apiVersion']);
  const kind = String(object['kind']);
  let Cls: ModelClass | undefined;
  try {
    const mod = (await import(modelPath(apiVersion, kind))) as Record<string, unknown>;
    Cls = mod[kind] as ModelClass | undefined;
  } catch {
    Cls = undefined;
  }
  if (Cls === undefined) return `${apiVersion} ${kind}: no OpenAPI model`;
  try {
    new Cls(object).validate();
    return undefined;
  } catch (e: unknown) {
    return `${apiVersion} ${kind}: ${e instanceof Error ? e.message : String(e)}`;
  }
}
