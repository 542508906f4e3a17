using OrleansSaas.Contracts.Engines;

namespace OrleansSaas.Engines;

/// <summary>The engines this deployment offers, by name.</summary>
public sealed class EngineCatalog(IEnumerable<IWhatsAppEngine> engines)
{
    private readonly Dictionary<string, IWhatsAppEngine> _byName = engines.ToDictionary(e => e.Name, StringComparer.Ordinal);

    public IWhatsAppEngine? Find(string name) => _byName.GetValueOrDefault(name);

    public IReadOnlyList<EngineDescriptor> Descriptors => _byName.Values.Select(e => e.Descriptor).ToList();
}

/// <summary>Answers GET /v1/engines from the silo the caller reaches.</summary>
[Orleans.Concurrency.StatelessWorker]
public sealed class EngineCatalogGrain(EngineCatalog catalog) : Grain, IEngineCatalogGrain
{
    public Task<IReadOnlyList<EngineDescriptor>> List() => Task.FromResult(catalog.Descriptors);
}
