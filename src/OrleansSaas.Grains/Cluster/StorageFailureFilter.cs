using OrleansSaas.Contracts.Cluster;

namespace OrleansSaas.Grains.Cluster;

/// <summary>
/// Turns a database failure escaping a grain call into <see cref="StorageUnavailableException"/>, so the
/// caller gets an error it can read (and the client a 503), not a serialization failure and a 500.
/// </summary>
public sealed class StorageFailureFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception error) when (StorageUnavailableException.IsInChain(error))
        {
            throw new StorageUnavailableException();
        }
    }
}
