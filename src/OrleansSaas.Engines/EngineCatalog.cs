namespace OrleansSaas.Engines;

/// <summary>The engines this deployment offers, by name.</summary>
public sealed class EngineCatalog(IEnumerable<IWhatsAppEngine> engines)
{
    private readonly Dictionary<string, IWhatsAppEngine> _byName = engines.ToDictionary(e => e.Name, StringComparer.Ordinal);

    public IWhatsAppEngine? Find(string name) => _byName.GetValueOrDefault(name);
}
