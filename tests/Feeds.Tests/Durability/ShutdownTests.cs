using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Feeds.Service.Hosting;
using Feeds.Tests.Support;
using Xunit.Abstractions;

namespace Feeds.Tests.Durability;

/// <summary>
/// SIGTERM to the real process while a poll hangs on a source that never answers, readers keep reading, and one reader
/// on a slow line is in the middle of a feed of several megabytes. The hanging poll is given up at once: held until the
/// shutdown timeout, it would make every such stop outlast the 10 s `docker stop` waits by default before SIGKILL.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class ShutdownTests(ITestOutputHelper output)
{
    /// <summary>The slow reader's pace: the feed takes a few seconds to read, well within the shutdown timeout.</summary>
    private const int SlowBytesPerSecond = 3 * 1024 * 1024;

    /// <summary>The slow reader's receive buffer: small, so the service, not the test's socket, holds what is still unread.</summary>
    private const int SlowReceiveBuffer = 16 * 1024;

    /// <summary>How much of the slow answer is read before SIGTERM: enough to know its body is flowing.</summary>
    private const int SlowReadBeforeSignal = 256 * 1024;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SigtermGivesUpAHangingPollAtOnceAndAnswersInFlightComplete()
    {
        await using var server = await LoopbackSourceServer.StartAsync();
        // 100 items of 40 KB (summary and content): the section's RSS is about 8 MB, more than the kernel's socket buffers can
        // hold, so the slow answer is still being sent by the service, not only by the kernel, for seconds after SIGTERM.
        var sources = new ChangingSources(server, count: 4, itemsPerVersion: 25, contentBytes: 40_000);
        var hang = server.ServeHang("/hang.rss");
        using var folder = new TempFolder();
        var (configPath, databasePath) = (folder.File("feeds.json"), folder.File("feeds.db"));
        await File.WriteAllTextAsync(configPath, JsonSerializer.Serialize(new
        {
            sections = new[] { new { id = "all", title = "All", description = "Every source" } },
            sources = sources.ConfigEntries("all").Append(new { id = "hang", url = hang.AbsoluteUri, sections = new[] { "all" } }),
            publishing = new { itemsPerFeed = 500 },
            // The fetch deadline is far beyond the shutdown timeout: it cannot be what ends the hanging poll.
            fetching = new { allowPrivateNetworks = new[] { "127.0.0.1/32" }, minHostSpacing = "0s", perHostConcurrency = 8, timeout = "2m" },
        }));
        await using var service = await FeedsServiceProcess.StartAsync(configPath, databasePath);
        // Every source's first poll is saved before the stop: they run at once and may finish in any order.
        for (var index = 0; index < sources.Count; index++)
        {
            var polled = $"Polled {ChangingSources.IdOf(index)}:";
            await service.WaitForOutputAsync(line => line.Contains(polled, StringComparison.Ordinal), Deadline);
        }
        var asking = Stopwatch.StartNew();
        while (server.RequestCount("/hang.rss") == 0)
        {
            Assert.True(asking.Elapsed < Deadline, $"the hanging source was not asked within {Deadline.TotalSeconds:0} s");
            await Task.Delay(20);
        }

        using var reading = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 8).Select(_ => ReadUntilGoneAsync(service.BaseUri, reading.Token)).ToList();
        var slow = new SlowReader(service.BaseUri);
        var slowAnswer = slow.ReadAsync("sections/all/rss");
        await slow.Begun.WaitAsync(Deadline);
        await Task.Delay(300);
        var slowReadBeforeSignal = slow.BytesRead;
        var stopping = Stopwatch.StartNew();
        var signalled = DateTimeOffset.UtcNow;
        var outputBeforeSignal = service.Output.Count;
        service.Terminate();
        var exitCode = await service.WaitForExitAsync(Deadline);
        var stopped = stopping.Elapsed;
        await reading.CancelAsync();
        var answers = (await Task.WhenAll(readers).WaitAsync(Deadline)).SelectMany(a => a).ToList();
        var slowly = await slowAnswer.WaitAsync(Deadline);

        // 143 is System.CommandLine ending a stop that outlasted FeedsApp.ShutdownTimeout + 5 s: what the service logged
        // after the signal says where that time went.
        Assert.True(exitCode == 0, $"exit code {exitCode} after {stopped.TotalSeconds:0.0} s; the service's output after SIGTERM:\n"
            + string.Join('\n', service.Output.Skip(outputBeforeSignal)));
        // What the stop waits for is the slow answer (a few seconds); the hanging poll would hold it for the whole timeout.
        Assert.True(stopped < FeedsApp.ShutdownTimeout, $"stopping took {stopped}, the shutdown timeout {FeedsApp.ShutdownTimeout} or more");
        // The answer in flight through the whole stop arrived whole, and was finished after SIGTERM by the service itself:
        // more of it was read after the signal than every buffer between the service and the reader could have held then.
        Assert.True(slowly.Complete, slowly.Problem);
        Assert.True(slowly.FinishedAt > signalled, "the slow answer was finished before SIGTERM, so it says nothing about the stop");
        var buffered = SendBufferLimit() + 2 * SlowReceiveBuffer + 64 * 1024; // + Kestrel's response buffer (MaxResponseBufferSize)
        Assert.True(slowly.Length - slowReadBeforeSignal > buffered,
            $"{slowly.Length - slowReadBeforeSignal} bytes of the slow answer were read after SIGTERM, no more than the {buffered} bytes buffers could hold");
        // Every other answer whose status line arrived came whole: a 200 with the whole feed, never a cut-off body. A request
        // that got no status line was refused, or closed unanswered before the service began it, which a stop may do to
        // requests it has not begun (RFC 9112 §9.3.1: the client may retry them); those are not answers and not counted.
        Assert.NotEmpty(answers);
        Assert.All(answers, answer => Assert.True(answer.Complete, answer.Problem));
        var audit = await DatabaseAudit.ReadAsync(databasePath);
        Assert.Equal("ok", audit.Integrity);
        Assert.Equal(sources.PublishedItemCount, audit.Items.Count);
        Assert.Null(audit.Sources.SingleOrDefault(s => s.Id == "hang")?.ETag);
        output.WriteLine($"stopped in {stopped.TotalSeconds:0.0} s with a poll hanging; {answers.Count} answers whole, "
            + $"{answers.Count(a => a.FinishedAt > signalled)} of them finished after SIGTERM; the slow answer of {slowly.Length} bytes "
            + $"had {slowly.Length - slowReadBeforeSignal} to go at SIGTERM and finished {(slowly.FinishedAt - signalled).TotalSeconds:0.0} s after it");
    }

    private sealed record Answer(bool Complete, string? Problem, long Length, DateTimeOffset FinishedAt);

    /// <summary>The most the kernel buffers for one TCP socket's sending (the third figure of tcp_wmem, see tcp(7)).</summary>
    private static long SendBufferLimit() =>
        long.Parse(File.ReadAllText("/proc/sys/net/ipv4/tcp_wmem").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[2], CultureInfo.InvariantCulture);

    /// <summary>Reads the RSS feed over and over, each time on a new connection, until the service is gone.</summary>
    private static async Task<List<Answer>> ReadUntilGoneAsync(Uri baseUri, CancellationToken stop)
    {
        var answers = new List<Answer>();
        using var client = new HttpClient { BaseAddress = baseUri, Timeout = Deadline };
        client.DefaultRequestHeaders.ConnectionClose = true;
        while (!stop.IsCancellationRequested)
        {
            HttpResponseMessage response;
            try
            {
                response = await client.GetAsync("sections/all/rss", HttpCompletionOption.ResponseHeadersRead, CancellationToken.None);
            }
            catch (HttpRequestException)
            {
                // Refused, or closed before an answer began: the listener is gone, which is how a stop looks to a new request.
                await Task.Delay(10, CancellationToken.None);
                continue;
            }
            using (response)
            {
                try
                {
                    var body = await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                    answers.Add(Judge(response, body));
                }
                catch (Exception e) when (e is HttpRequestException or IOException)
                {
                    answers.Add(new Answer(false, "an answer was cut off: " + e.Message, 0, DateTimeOffset.UtcNow));
                }
            }
        }
        return answers;
    }

    /// <summary>Whole: a 200 with as many bytes as its Content-Length says, ending the RSS document.</summary>
    private static Answer Judge(HttpResponseMessage response, byte[] body)
    {
        var finished = DateTimeOffset.UtcNow;
        if (response.StatusCode != HttpStatusCode.OK)
            return new Answer(false, $"{(int)response.StatusCode}: {Encoding.UTF8.GetString(body[..Math.Min(body.Length, 200)])}", body.Length, finished);
        if (response.Content.Headers.ContentLength is not { } length || length != body.Length)
            return new Answer(false, $"{body.Length} bytes of a Content-Length of {response.Content.Headers.ContentLength}", body.Length, finished);
        if (!Encoding.UTF8.GetString(body[^Math.Min(body.Length, 64)..]).TrimEnd().EndsWith("</rss>", StringComparison.Ordinal))
            return new Answer(false, "a body that does not end the RSS document", body.Length, finished);
        return new Answer(true, null, body.Length, finished);
    }

    /// <summary>
    /// Reads one answer at a fixed pace through a small receive window, as a subscriber on a slow line would, so that the
    /// service has to keep sending it for as long as the reading takes.
    /// </summary>
    private sealed class SlowReader(Uri baseUri)
    {
        private readonly TaskCompletionSource _begun = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _read;

        /// <summary>Done once the status line and the first <see cref="SlowReadBeforeSignal"/> bytes of the body have arrived.</summary>
        public Task Begun => _begun.Task;

        public long BytesRead => Interlocked.Read(ref _read);

        public async Task<Answer> ReadAsync(string path)
        {
            using var handler = new SocketsHttpHandler { ConnectCallback = ConnectWithSmallWindowAsync };
            using var client = new HttpClient(handler) { BaseAddress = baseUri, Timeout = Deadline };
            try
            {
                using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
                await using var stream = await response.Content.ReadAsStreamAsync();
                var body = new MemoryStream();
                var chunk = new byte[SlowReceiveBuffer];
                var pace = Stopwatch.StartNew();
                int count;
                while ((count = await stream.ReadAsync(chunk)) > 0)
                {
                    body.Write(chunk, 0, count);
                    if (Interlocked.Add(ref _read, count) >= SlowReadBeforeSignal)
                        _begun.TrySetResult();
                    if (TimeSpan.FromSeconds((double)body.Length / SlowBytesPerSecond) - pace.Elapsed is { Ticks: > 0 } ahead)
                        await Task.Delay(ahead);
                }
                var answer = Judge(response, body.ToArray());
                if (answer.Complete)
                    XDocument.Load(new MemoryStream(body.ToArray())); // well-formed to the end, or this throws
                _begun.TrySetException(new InvalidOperationException($"the slow answer ended after {body.Length} bytes: {answer.Problem}"));
                return answer;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or System.Xml.XmlException)
            {
                _begun.TrySetException(e);
                return new Answer(false, $"the slow answer broke off after {BytesRead} bytes: {e.Message}", BytesRead, DateTimeOffset.UtcNow);
            }
        }

        private static async ValueTask<Stream> ConnectWithSmallWindowAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = SlowReceiveBuffer };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }
}
