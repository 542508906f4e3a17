using Microsoft.Extensions.Caching.Memory;
using OrleansSaas.Contracts.Tenants;
using OrleansSaas.Data.Media;

namespace OrleansSaas.Gateway.Media;

/// <summary>
/// A tenant's media quota is its plan's media storage. Cached for a few seconds like authentication, so an
/// upload does not cost a grain call; a plan change applies within that time.
/// </summary>
public sealed class PlanMediaQuota(IClusterClient cluster, IMemoryCache cache) : IMediaQuotaSource
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    public async ValueTask<long> GetQuotaBytesAsync(string tenantId, CancellationToken cancellationToken = default) =>
        await cache.GetOrCreateAsync($"media-quota:{tenantId}", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            return (await cluster.GetGrain<ITenantGrain>(tenantId).Get())?.Plan.MediaStorageBytes ?? 0;
        });
}

public static class MediaRegistration
{
    public static IServiceCollection AddMedia(this IServiceCollection services)
    {
        services.AddSingleton<IMediaQuotaSource, PlanMediaQuota>();
        return services;
    }
}
