using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansSaas.Outbound;

public static class OutboundRegistration
{
    /// <summary>The outbound guard and its options; safe to call from every feature that needs it.</summary>
    public static IServiceCollection AddOutboundGuard(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(OutboundGuard))) return services;
        services.AddOptions<OutboundOptions>().Bind(configuration.GetSection(OutboundOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<OutboundGuard>();
        return services;
    }
}
