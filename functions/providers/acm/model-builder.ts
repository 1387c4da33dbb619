import type { ModelBuilder } from '../../core/model/provider';
import { emptyModel, type CertificateRecord, type ConfigProblem } from '../../core/model/types';

/**
 * A model builder over ACM records already read: the ACM lookups are asynchronous and a
 * ModelBuilder is not, so the records are read first and this hands them to the model stage
 * like any other provider's part. The core rules cert-expiring and cert-expired then report
 * them with provider `acm`; problems (missing ARNs, …) become config-invalid findings.
 *
 * @example
 *   const { certificates, problems } = await acmCertificateSource().describeCertificates(appMeshCertificateArns(inventory));
 *   const model = buildModel(inventory, { builders: [...MODEL_BUILDERS, acmModelBuilder(certificates, problems)], now });
 */
export function acmModelBuilder(records: readonly CertificateRecord[], problems: readonly ConfigProblem[] = []): ModelBuilder {
  return () => {
    const model = emptyModel();
    model.certificates.push(...records);
    model.problems.push(...problems);
    model.resourceCount = records.length;
    return model;
  };
}
