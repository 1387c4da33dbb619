/**
 * Loads the real `@kubernetes/client-node` (1.x is ESM-only) from tests compiled to CommonJS.
 *
 * Jest's CommonJS runtime cannot load it: its `require` refuses ESM ("Must use import to load
 * ES Module") and `import()` inside the test sandbox needs `--experimental-vm-modules`. Node
 * 20.19+ itself can `require()` an ES module, so the loader asks Node's own module system, not
 * Jest's: it takes the `process` object of the main realm (outside Jest's vm context), gets the
 * real `node:module` from it, and requires the package through `createRequire`. Outside Jest
 * (tsx, node), the plain dynamic import succeeds first.
 *
 * The client then lives in the main realm: its classes are not the sandbox's, so compare errors
 * with `error instanceof k8s.ApiException` using the class from the loaded module, or by `code`.
 */
import * as vm from 'node:vm';
import type * as KubernetesClient from '@kubernetes/client-node';

export type KubernetesClientModule = typeof KubernetesClient;

interface ProcessWithBuiltins {
  getBuiltinModule(id: string): unknown;
}

// Errors that mean "this runtime cannot import ESM here", as opposed to a broken install.
const CANNOT_IMPORT_HERE = new Set(['ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING', 'ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING_FLAG', 'ERR_REQUIRE_ESM']);

function requireThroughNode(): KubernetesClientModule {
  const mainRealmProcess = vm.runInThisContext('process') as ProcessWithBuiltins;
  const nodeModule = mainRealmProcess.getBuiltinModule('node:module') as typeof import('node:module');
  return nodeModule.createRequire(__filename)('@kubernetes/client-node') as KubernetesClientModule;
}

let loading: Promise<KubernetesClientModule> | undefined;

/** The `@kubernetes/client-node` module, loaded once per test file. */
export function loadKubernetesClient(): Promise<KubernetesClientModule> {
  loading ??= (async () => {
    try {
      return await import('@kubernetes/client-node');
    } catch (error) {
      if (!CANNOT_IMPORT_HERE.has((error as { code?: string }).code ?? '')) throw error;
      return requireThroughNode();
    }
  })();
  return loading;
}
