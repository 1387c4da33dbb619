/**
 * The hostnames a virtual node answers for, from `spec.serviceDiscovery` (same spelling in the
 * API and the CRDs): the DNS hostname, and for Cloud Map `<serviceName>.<namespaceName>`, the
 * name Cloud Map registers instances under (App Mesh User Guide, "Service discovery").
 */
export function serviceDiscoveryHostnames(serviceDiscovery: any): string[] {
  const hosts: string[] = [];
  if (typeof serviceDiscovery?.dns?.hostname === 'string') hosts.push(serviceDiscovery.dns.hostname);
  const cloudMap = serviceDiscovery?.awsCloudMap;
  if (typeof cloudMap?.serviceName === 'string' && typeof cloudMap?.namespaceName === 'string') {
    hosts.push(`${cloudMap.serviceName}.${cloudMap.namespaceName}`);
  }
  return hosts;
}
