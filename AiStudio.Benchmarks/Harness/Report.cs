using System.Globalization;
using System.Text;

namespace AiStudio.Benchmarks.Harness;

/// <summary>Writes docs/benchmarks.md from one run's figures.</summary>
public static class Report
{
    public static string Markdown(Machine machine, DateTimeOffset started, TimeSpan duration, string command, string? note,
        IReadOnlyList<(IBenchmark Benchmark, IReadOnlyList<Figure> Figures, string? Error)> results)
    {
        var text = new StringBuilder();
        text.AppendLine("# Benchmarks");
        text.AppendLine();
        text.AppendLine("Figures from one run of the command below; they are written by the benchmark program itself (`AiStudio.Benchmarks`),");
        text.AppendLine("never by hand. They are figures, not pass/fail checks, and CI does not run them.");
        text.AppendLine();
        if (!string.IsNullOrWhiteSpace(note))
        {
            text.AppendLine($"> **Note:** {note}");
            text.AppendLine();
        }

        text.AppendLine("| | |");
        text.AppendLine("|---|---|");
        text.AppendLine($"| date | {started.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC (took {duration.TotalMinutes:0.0} min) |");
        text.AppendLine($"| command | `{command}` |");
        text.AppendLine($"| CPU | {machine.Cpu} |");
        text.AppendLine($"| cores | {machine.Cores} |");
        text.AppendLine($"| memory | {machine.Memory} |");
        text.AppendLine($"| OS | {machine.Os} |");
        text.AppendLine($"| runtime | {machine.Runtime} |");
        text.AppendLine($"| database files | {machine.Storage} |");
        if (!string.IsNullOrEmpty(machine.Load))
        {
            text.AppendLine($"| load average (1 min) | {machine.Load} |");
        }

        text.AppendLine();

        text.AppendLine("## Summary");
        text.AppendLine();
        text.AppendLine("| benchmark | figure | measured | target | result |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var (benchmark, figures, error) in results)
        {
            if (error is not null)
            {
                text.AppendLine($"| {benchmark.Title} | | failed to run | | see below |");
            }

            foreach (var figure in figures.Where(f => f.Target is not null || f.InSummary))
            {
                text.AppendLine($"| {benchmark.Title} | {figure.What} | {figure.ValueText} | {figure.TargetText} | {figure.Verdict} |");
            }
        }

        text.AppendLine();
        foreach (var (benchmark, figures, error) in results)
        {
            text.AppendLine($"## {benchmark.Title}");
            text.AppendLine();
            text.AppendLine($"`--only {benchmark.Name}`");
            text.AppendLine();
            if (error is not null)
            {
                text.AppendLine("The benchmark failed:");
                text.AppendLine();
                text.AppendLine("```");
                text.AppendLine(error);
                text.AppendLine("```");
                text.AppendLine();
            }

            if (figures.Count > 0)
            {
                text.AppendLine("| figure | measured | target | result | detail |");
                text.AppendLine("|---|---|---|---|---|");
                foreach (var figure in figures)
                {
                    text.AppendLine($"| {figure.What} | {figure.ValueText} | {figure.TargetText} | {figure.Verdict} | {figure.Detail} |");
                }

                text.AppendLine();
            }

            foreach (var why in figures.Where(f => !string.IsNullOrWhiteSpace(f.Why)))
            {
                text.AppendLine($"- **{why.What}:** {why.Why}");
            }

            text.AppendLine();
        }

        return text.ToString().TrimEnd() + "\n";
    }
}
