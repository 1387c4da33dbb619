/**
 * The hostnames a virtual node answers for, from `spec.serviceDiscovery` (same spelling in the
 * API and the CRDs): the DNS hostname, and for Cloud Map `<serviceName>.<namespaceName>`, the
 * name Cloud Map registers instances under (App Mesh User Guide, "Service discovery").
 */
export function serviceDiscoveryHostnames(serviceDiscovery: any): string[] {
  const dns = serviceDiscovery?.dns?.hostname;
  const cloudMap = serviceDiscovery?.awsCloudMap;
  const cloudMapName =
    typeof cloudMap?.serviceName === 'string' && typeof cloudMap?.namespaceName === 'string' ? `${cloudMap.serviceName}.${cloudMap.namespaceName}` : undefined;
  // Literals rather than pushes: a pushed array reserves room for 17, and every node keeps its list.
  if (typeof dns === 'string') return cloudMapName === undefined ? [dns] : [dns, cloudMapName];
  return cloudMapName === undefined ? [] : [cloudMapName];
}
