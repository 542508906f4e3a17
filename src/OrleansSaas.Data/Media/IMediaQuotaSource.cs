namespace OrleansSaas.Data.Media;

/// <summary>
/// How many bytes of media a tenant may keep. Hosts register one (the gateway: a configured default); the
/// tenant plan can replace it with a per-tenant number without the media store changing.
/// </summary>
public interface IMediaQuotaSource
{
    ValueTask<long> GetQuotaBytesAsync(string tenantId, CancellationToken cancellationToken = default);
}
