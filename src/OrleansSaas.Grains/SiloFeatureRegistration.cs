using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansSaas.Engines.CloudApi;
using OrleansSaas.Engines.Simulated;
using OrleansSaas.Engines.Web;
using OrleansSaas.Grains.Cluster;
using OrleansSaas.Grains.Events;
using OrleansSaas.Grains.Media;
using OrleansSaas.Grains.Sessions;
using OrleansSaas.Grains.Tenants;
using OrleansSaas.Grains.Webhooks;
using OrleansSaas.Outbound;

namespace OrleansSaas.Grains;

public static class SiloFeatureRegistration
{
    /// <summary>Everything the grains need on a silo: sessions, engines, failover, moving sessions.</summary>
    public static IServiceCollection AddSessionFeatures(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOutboundGuard(configuration);
        services.AddOptions<SessionOptions>().Bind(configuration.GetSection(SessionOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SecurityOptions>().Bind(configuration.GetSection(SecurityOptions.Section)).ValidateDataAnnotations()
            .Validate(o => CredentialProtector.IsValidKey(o.CredentialKey), "Security:CredentialKey must be base64 of exactly 32 bytes.")
            .Validate(o => o.PreviousCredentialKeys.All(CredentialProtector.IsValidKey), "Security:PreviousCredentialKeys must each be base64 of exactly 32 bytes.")
            .ValidateOnStart();
        services.AddOptions<FailoverOptions>().Bind(configuration.GetSection(FailoverOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<CredentialProtector>();
        services.AddSingleton<OrleansSaas.Engines.IEngineSealer>(sp => sp.GetRequiredService<CredentialProtector>());
        services.AddSingleton<OrleansSaas.Engines.IEngineStateStore, EngineStateStore>();
        services.AddSingleton<InboundMediaCopier>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSimulatedEngine(configuration);
        services.AddCloudApiEngine(configuration);
        services.AddWebEngine(configuration);
        services.AddHostedService<SessionKeeper>();
        services.AddHostedService<CredentialResealer>();
        services.AddOptions<LifecycleOptions>().Bind(configuration.GetSection(LifecycleOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<OrleansSaas.Data.Tenants.TenantLifecycleStore>();
        services.AddHostedService<TenantDataLifecycle>();
        services.AddOptions<PlacementOptions>().Bind(configuration.GetSection("Silo")).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SessionCounter>();
        services.AddSingleton<OrleansSaas.Contracts.Quotas.TokenLeases>(); // the tenants' message quotas, leased by this silo
        services.AddPlacementDirector<SessionPlacementStrategy, SessionPlacementDirector>();
        services.AddHostedService<SessionLoadReporter>();
        services.AddClusterOperations(configuration);
        return services;
    }

    /// <summary>The event log's numbering and upkeep, and webhook delivery: signing, retry policy, and the sweep that wakes lost grains.</summary>
    public static IServiceCollection AddWebhookFeatures(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOutboundGuard(configuration);
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.Section)).ValidateDataAnnotations()
            .Validate(o => o.InitialBackoff <= o.MaxBackoff, "Webhooks:InitialBackoff must not exceed Webhooks:MaxBackoff.")
            .ValidateOnStart();
        services.AddOptions<EventOptions>().Bind(configuration.GetSection(EventOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookRetryPolicy>();
        services.AddSingleton<EventNotifier>();
        services.AddHostedService<EventSweeper>();
        services.AddHostedService<EventRetention>();
        return services;
    }
}
