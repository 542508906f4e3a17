using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OrleansSaas.Engines.Simulated;

public static class SimulatedEngineRegistration
{
    public static IServiceCollection AddSimulatedEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SimulatorOptions>().Bind(configuration.GetSection(SimulatorOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IWhatsAppEngine, SimulatedEngine>();
        services.TryAddSingleton<EngineCatalog>();
        return services;
    }
}
