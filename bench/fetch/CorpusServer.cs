using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Feeds.Bench.Fetch;

/// <summary>
/// The source side, run as a child process so its memory is not counted as ours: serves every file of a
/// folder at <c>/NAME</c> on 127.0.0.1 with an ETag, and answers 304 to a matching If-None-Match.
/// </summary>
internal static class CorpusServer
{
    public static async Task<int> RunAsync(string folder)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(context => ServeAsync(context, folder));
        await app.StartAsync();
        // The parent reads the address from the first line, and stops us by closing our standard input.
        Console.WriteLine(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        await Console.In.ReadToEndAsync();
        await app.StopAsync();
        return 0;
    }

    private static async Task ServeAsync(HttpContext context, string folder)
    {
        var file = new FileInfo(Path.Combine(folder, Path.GetFileName(context.Request.Path.Value ?? "")));
        if (!file.Exists)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        var etag = $"\"{file.Length:x}-{file.LastWriteTimeUtc.Ticks:x}\"";
        context.Response.Headers.ETag = etag;
        if (context.Request.Headers.IfNoneMatch == etag)
        {
            context.Response.StatusCode = (int)HttpStatusCode.NotModified;
            return;
        }
        context.Response.ContentType = "application/xml";
        context.Response.ContentLength = file.Length;
        await context.Response.SendFileAsync(file.FullName, context.RequestAborted);
    }
}

/// <summary>The child process running <see cref="CorpusServer"/>.</summary>
internal sealed class ServerProcess(Process process, Uri baseUri) : IAsyncDisposable
{
    public Uri BaseUri { get; } = baseUri;

    public static async Task<ServerProcess> StartAsync(string folder)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true };
        // Under "dotnet Feeds.Bench.Fetch.dll" the process is dotnet itself; name the assembly again.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(typeof(CorpusServer).Assembly.Location);
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(Path.GetFullPath(folder));
        var process = Process.Start(start)!;
        var address = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the corpus server did not start");
        return new ServerProcess(process, new Uri(address + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        process.Dispose();
    }
}
