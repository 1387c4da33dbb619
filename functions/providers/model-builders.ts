import type { ModelBuilder } from '../core/model/provider';
import { buildAppMeshModel } from './appmesh';
import { buildEnvoyModel } from './envoy';
import { buildIstioModel } from './istio';
import { buildCertificateModel } from './x509';

/** Every provider that reads configuration files; a new mesh adds its builder here. */
export const MODEL_BUILDERS: ModelBuilder[] = [buildIstioModel, buildAppMeshModel, buildEnvoyModel, buildCertificateModel];
