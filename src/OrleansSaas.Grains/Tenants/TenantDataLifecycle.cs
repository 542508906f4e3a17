using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansSaas.Contracts.Sessions;
using OrleansSaas.Data.Media;
using OrleansSaas.Data.Tenants;
using OrleansSaas.Grains.Cluster;

namespace OrleansSaas.Grains.Tenants;

/// <summary>
/// The leader's lifecycle chore: purges messages and media past their tenant's retention, and the data of
/// tenants deleted longer ago than the grace period (their sessions through the session grains, so live
/// engines stop; then what is left in the tables, in one transaction). Batched, so it never holds long locks.
/// </summary>
public sealed class TenantDataLifecycle(
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    IHostApplicationLifetime lifetime,
    IGrainFactory grains,
    TenantLifecycleStore store,
    MediaStore media,
    IOptions<LifecycleOptions> options,
    ILogger<TenantDataLifecycle> logger) : LeaderChore(membership, localSilo, lifetime)
{
    private const int BatchSize = 5000;
    private const int MediaBatchSize = 200;
    private const int TenantBatchSize = 10;

    protected override TimeSpan Interval => options.Value.Interval;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PurgeDeletedTenantsAsync(cancellationToken);
            await PurgeExpiredAsync(cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogWarning(error, "Tenant data clean-up failed; the next run retries");
        }
    }

    private async Task PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        var retention = options.Value.MessageRetention;
        int deleted, messages = 0;
        do
        {
            deleted = await store.DeleteExpiredMessagesAsync(retention, BatchSize);
            messages += deleted;
        } while (deleted > 0 && !cancellationToken.IsCancellationRequested);

        IReadOnlyList<(string TenantId, string MediaId)> expired;
        var mediaCount = 0;
        do
        {
            expired = await store.ListExpiredMediaAsync(retention, MediaBatchSize);
            // Through the media store, so the blobs go too and the tenant's usage drops.
            foreach (var (tenantId, mediaId) in expired)
                if (await media.DeleteAsync(tenantId, mediaId, cancellationToken)) mediaCount++;
        } while (expired.Count == MediaBatchSize && !cancellationToken.IsCancellationRequested);
        if (messages + mediaCount > 0) logger.LogInformation("Purged {Messages} message(s) and {Media} media past retention", messages, mediaCount);
    }

    private async Task PurgeDeletedTenantsAsync(CancellationToken cancellationToken)
    {
        foreach (var tenantId in await store.ListTenantsToPurgeAsync(options.Value.DeletedTenantGrace, TenantBatchSize))
        {
            if (cancellationToken.IsCancellationRequested) return;
            foreach (var sessionId in await store.ListSessionIdsAsync(tenantId))
                await grains.GetGrain<ISessionGrain>(SessionKey.Format(tenantId, sessionId)).Delete();
            foreach (var mediaId in await store.ListMediaIdsAsync(tenantId))
                await media.DeleteAsync(tenantId, mediaId, cancellationToken);
            await store.PurgeRemainingAsync(tenantId);
            logger.LogInformation("Purged the data of tenant {TenantId}, deleted longer ago than {Grace}", tenantId, options.Value.DeletedTenantGrace);
        }
    }
}
