using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansSaas.Engines.Simulated;
using OrleansSaas.Grains.Cluster;
using OrleansSaas.Grains.Media;
using OrleansSaas.Grains.Sessions;

namespace OrleansSaas.Grains;

public static class SiloFeatureRegistration
{
    /// <summary>Everything the grains need on a silo: sessions, engines, failover, moving sessions.</summary>
    public static IServiceCollection AddSessionFeatures(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SessionOptions>().Bind(configuration.GetSection(SessionOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SecurityOptions>().Bind(configuration.GetSection(SecurityOptions.Section)).ValidateDataAnnotations()
            .Validate(o => CredentialProtector.IsValidKey(o.CredentialKey), "Security:CredentialKey must be base64 of exactly 32 bytes.")
            .ValidateOnStart();
        services.AddOptions<FailoverOptions>().Bind(configuration.GetSection(FailoverOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<CredentialProtector>();
        services.AddSingleton<InboundMediaCopier>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSimulatedEngine(configuration);
        services.AddHostedService<SessionKeeper>();
        services.AddOptions<PlacementOptions>().Bind(configuration.GetSection("Silo")).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SessionCounter>();
        services.AddPlacementDirector<SessionPlacementStrategy, SessionPlacementDirector>();
        services.AddHostedService<SessionLoadReporter>();
        services.AddClusterOperations(configuration);
        return services;
    }
}
