using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansSaas.Data.Media;

namespace OrleansSaas.Gateway.Media;

/// <summary>The "Media" settings section.</summary>
public sealed class MediaOptions
{
    public const string Section = "Media";

    /// <summary>Bytes of media each tenant may keep until its plan says otherwise; 1 GiB by default.</summary>
    [Range(0, long.MaxValue)]
    public long DefaultTenantQuotaBytes { get; set; } = 1024L * 1024 * 1024;
}

/// <summary>Every tenant gets the configured default; the tenant plan replaces this with its own <see cref="IMediaQuotaSource"/>.</summary>
public sealed class ConfiguredMediaQuota(IOptionsMonitor<MediaOptions> options) : IMediaQuotaSource
{
    public ValueTask<long> GetQuotaBytesAsync(string tenantId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(options.CurrentValue.DefaultTenantQuotaBytes);
}

public static class MediaRegistration
{
    /// <summary>Media settings and the quota source (kept if one is already registered).</summary>
    public static IServiceCollection AddMedia(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MediaOptions>().Bind(configuration.GetSection(MediaOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<IMediaQuotaSource, ConfiguredMediaQuota>();
        return services;
    }
}
