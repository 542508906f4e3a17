using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.Hosting;

namespace OrleansSaas.Tests.InProcess;

/// <summary>
/// Runs silo/Program.cs up to the moment its host is built and stops it there (the hosting library announces a
/// built host on its DiagnosticListener, as the tools that inspect an app's services rely on): the silo host's
/// container as production builds it, never started.
/// </summary>
internal static class SiloHostServices
{
    private static readonly AsyncLocal<bool> Capturing = new();

    public static IHost Build(params string[] args)
    {
        var entryPoint = typeof(Silo.SiloHostOptions).Assembly.EntryPoint!;
        var observer = new HostObserver();
        using var subscription = DiagnosticListener.AllListeners.Subscribe(observer);
        var run = Task.Run(() =>
        {
            Capturing.Value = true;
            try
            {
                entryPoint.Invoke(null, [args]);
            }
            catch (TargetInvocationException error) when (error.InnerException is HostCaptured)
            {
            }
        });
        run.GetAwaiter().GetResult();
        observer.Dispose();
        return observer.Host ?? throw new InvalidOperationException("silo/Program.cs ended without building its host (missing configuration?).");
    }

    private sealed class HostCaptured : Exception;

    private sealed class HostObserver : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly List<IDisposable> _subscriptions = [];

        public IHost? Host { get; private set; }

        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == "Microsoft.Extensions.Hosting")
                lock (_subscriptions) _subscriptions.Add(listener.Subscribe(this));
        }

        public void OnNext(KeyValuePair<string, object?> evt)
        {
            // Other tests build hosts in this process at the same time; only the silo program's counts.
            if (!Capturing.Value || evt.Key != "HostBuilt") return;
            Host = (IHost)evt.Value!;
            throw new HostCaptured();
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose()
        {
            lock (_subscriptions) _subscriptions.ForEach(s => s.Dispose());
        }
    }
}
