using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansSaas.Data.Audit;

namespace OrleansSaas.Grains.Cluster;

public static class ClusterOperationsRegistration
{
    /// <summary>Moving sessions between silos: single moves, drains, rebalancing after joins, draining on a graceful stop.</summary>
    public static IServiceCollection AddClusterOperations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ClusterOperationsOptions>().Bind(configuration.GetSection(ClusterOperationsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<AuditStore>();
        services.AddSingleton<ClusterView>();
        services.AddSingleton<SessionMover>();
        services.AddSingleton<ClusterOperations>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ShutdownDrain>();
        services.AddHostedService<AutoRebalancer>();
        return services;
    }
}
