using System.Runtime.InteropServices;

namespace AiStudio.Benchmarks.Harness;

/// <summary>What the figures were taken on.</summary>
/// <param name="Load">How busy the machine was while the figures were taken (others' work shares its cores and disk).</param>
public sealed record Machine(string Cpu, int Cores, string Memory, string Os, string Runtime, string Storage, string Load = "")
{
    /// <summary>The 1-minute load average, or NaN where /proc/loadavg is missing.</summary>
    public static double LoadAverage() =>
        File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out var load) ? load : double.NaN;

    public static Machine Describe(string dataDirectory) => new(
        CpuModel(),
        Environment.ProcessorCount,
        MemoryTotal(),
        RuntimeInformation.OSDescription,
        $".NET {Environment.Version} ({RuntimeInformation.FrameworkDescription}), {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC",
        FileSystemOf(dataDirectory));

    private static string CpuModel() => ReadField("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();

    private static string MemoryTotal()
    {
        var kilobytes = ReadField("/proc/meminfo", "MemTotal")?.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return long.TryParse(kilobytes, out var kb) ? $"{kb / 1024.0 / 1024.0:0.0} GiB" : "unknown";
    }

    private static string? ReadField(string file, string name)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        return File.ReadLines(file)
            .Where(l => l.StartsWith(name, StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(':') + 1)..].Trim())
            .FirstOrDefault();
    }

    // Commit latency depends on what the SQLite file sits on (tmpfs, overlay, a real disk).
    private static string FileSystemOf(string directory)
    {
        if (!File.Exists("/proc/mounts"))
        {
            return directory;
        }

        var full = Path.GetFullPath(directory);
        var mount = File.ReadLines("/proc/mounts")
            .Select(l => l.Split(' '))
            .Where(p => p.Length > 2 && full.StartsWith(p[1], StringComparison.Ordinal))
            .MaxBy(p => p[1].Length);
        return mount is null ? full : $"{full} on {mount[2]} ({mount[1]})";
    }
}
