using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Feeds.Tests.Support;

/// <summary>
/// The real service as an operator runs it — <c>dotnet feeds.dll serve</c>, a process of its own — on a port chosen
/// by the OS, so that tests can kill it with SIGKILL, stop it with SIGTERM and read its log.
/// </summary>
public sealed partial class FeedsServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FeedsServiceProcess(Process process) => _process = process;

    public Uri BaseUri { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Every line written to standard output and error so far.</summary>
    public IReadOnlyList<string> Output => _output.ToList();

    /// <summary>Starts the service on <paramref name="configPath"/> and <paramref name="databasePath"/> and waits until it listens.</summary>
    public static async Task<FeedsServiceProcess> StartAsync(string configPath, string databasePath)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestFiles.Root };
        foreach (var arg in new[] { Path.Combine(TestFiles.Root, "feeds.dll"), "serve", "--config", configPath, "--db", databasePath, "--urls", "http://127.0.0.1:0" })
            start.ArgumentList.Add(arg);
        var service = new FeedsServiceProcess(new Process { StartInfo = start, EnableRaisingEvents = true });
        service._process.OutputDataReceived += (_, e) => service.Received(e.Data);
        service._process.ErrorDataReceived += (_, e) => service.Received(e.Data);
        service._process.Exited += (_, _) => service._listening.TrySetException(new InvalidOperationException("the service exited before listening:\n" + string.Join('\n', service.Output)));
        service._process.Start();
        service._process.BeginOutputReadLine();
        service._process.BeginErrorReadLine();
        service.BaseUri = await service._listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
        service.Client = new HttpClient { BaseAddress = service.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        return service;
    }

    /// <summary>Waits until a line matching <paramref name="match"/> has been written.</summary>
    public async Task WaitForOutputAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!_output.Any(match))
        {
            if (deadline.Elapsed > timeout || _process.HasExited)
                throw new TimeoutException("no such line in the service's output:\n" + string.Join('\n', Output));
            await Task.Delay(20);
        }
    }

    /// <summary>SIGKILL: the process ends at once, in the middle of whatever it was doing.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as systemd or docker stop sends.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Waits for the process to end and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    private void Received(string? line)
    {
        if (line is null)
            return;
        _output.Enqueue(line);
        if (ListeningLine().Match(line) is { Success: true } listening)
            _listening.TrySetResult(new Uri(listening.Groups[1].Value.TrimEnd('/') + "/"));
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (!_process.HasExited)
            await KillAsync();
        _process.Dispose();
    }
}
