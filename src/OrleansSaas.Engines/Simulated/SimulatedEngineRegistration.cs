using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansSaas.Engines.Simulated;

public static class SimulatedEngineRegistration
{
    public static IServiceCollection AddSimulatedEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SimulatorOptions>().Bind(configuration.GetSection(SimulatorOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IWhatsAppEngine, SimulatedEngine>();
        services.AddSingleton<EngineCatalog>();
        return services;
    }
}
