using System.Diagnostics;

namespace AiStudio.Benchmarks.Harness;

/// <summary>Timings of one measured operation, in milliseconds, with the order statistics the report uses.</summary>
public sealed class Samples
{
    private readonly List<double> _values = [];

    public int Count => _values.Count;

    public void Add(double milliseconds) => _values.Add(milliseconds);

    public void Add(TimeSpan elapsed) => _values.Add(elapsed.TotalMilliseconds);

    public double Median => Percentile(50);

    public double P95 => Percentile(95);

    public double Mean => _values.Count == 0 ? double.NaN : _values.Average();

    /// <summary>Nearest-rank percentile.</summary>
    public double Percentile(double p)
    {
        if (_values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = _values.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    /// <summary>Runs <paramref name="operation"/> warm-up times unmeasured, then measured times.</summary>
    public static async Task<Samples> MeasureAsync(int warmUp, int measured, Func<int, Task> operation)
    {
        for (var i = 0; i < warmUp; i++)
        {
            await operation(i);
        }

        var samples = new Samples();
        for (var i = 0; i < measured; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await operation(warmUp + i);
            samples.Add(Stopwatch.GetElapsedTime(started));
        }

        return samples;
    }

    public string Describe(string unit = "ms") =>
        $"median {Format(Median)} {unit}, p95 {Format(P95)} {unit}, n = {Count}";

    public static string Format(double value) => value switch
    {
        double.NaN => "n/a",
        < 1 => value.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture),
        < 100 => value.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
    };
}
