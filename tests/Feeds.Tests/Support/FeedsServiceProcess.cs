using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
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
    public static Task<FeedsServiceProcess> StartAsync(string configPath, string databasePath) => StartAsync(configPath, ["--db", databasePath]);

    /// <summary>Starts the service on <paramref name="configPath"/>, its store named by <paramref name="storeArguments"/> or by the config, and waits until it listens.</summary>
    public static async Task<FeedsServiceProcess> StartAsync(string configPath, IReadOnlyList<string> storeArguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestFiles.Root };
        foreach (var arg in (string[])[Path.Combine(TestFiles.Root, "feeds.dll"), "serve", "--config", configPath, .. storeArguments, "--urls", "http://127.0.0.1:0"])
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

    /// <summary>SIGKILL: the process ends at once, in the middle of whatever it was doing (or where <see cref="Freeze"/> held it).</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await WaitForExitAsync(TimeSpan.FromSeconds(10), "SIGKILL");
    }

    /// <summary>SIGTERM, as systemd or docker stop sends.</summary>
    public void Terminate() => Signal(Sigterm);

    /// <summary>
    /// SIGSTOP, and back once every thread of the process has stopped: what the process holds now (its SQLite locks,
    /// say) it holds until <see cref="Thaw"/> or a kill, so a test can look first and then kill it at exactly that moment.
    /// </summary>
    public void Freeze()
    {
        Signal(Sigstop);
        var deadline = Stopwatch.StartNew();
        while (!AllThreadsStopped())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(5))
                throw new TimeoutException($"the service (pid {Id}) did not stop within 5 s of SIGSTOP");
            Thread.Yield();
        }
    }

    /// <summary>SIGCONT: a frozen process runs on.</summary>
    public void Thaw() => Signal(Sigcont);

    /// <summary>Waits for the process to end and returns its exit code; a process still running at the deadline fails the test, with its last output.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => WaitForExitAsync(timeout, "SIGTERM");

    private async Task<int> WaitForExitAsync(TimeSpan timeout, string after)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the service (pid {Id}) was still running {timeout.TotalSeconds:0} s after {after}; its last output:\n"
                + string.Join('\n', Output.TakeLast(30)));
        }
        return _process.ExitCode;
    }

    // Linux signal numbers (signal(7)); these tests start the service on Linux only.
    private const int Sigterm = 15, Sigcont = 18, Sigstop = 19;

    private void Signal(int signal)
    {
        if (kill(Id, signal) != 0)
            throw new InvalidOperationException($"kill({Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>True when every thread of the process is in the stopped state ('T' in /proc/PID/task/TID/stat, proc(5)).</summary>
    private bool AllThreadsStopped()
    {
        foreach (var task in Directory.EnumerateDirectories($"/proc/{Id}/task"))
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(task, "stat"));
            }
            catch (IOException)
            {
                continue; // a thread that ended meanwhile
            }
            // "TID (comm) STATE ...": the comm may hold spaces and parentheses, the state follows the last ')'.
            if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('T') is false)
                return false;
        }
        return true;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

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
