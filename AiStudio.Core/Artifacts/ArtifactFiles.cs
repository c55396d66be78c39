using System.Globalization;
using System.IO.Compression;
using System.Text;
using AiStudio.Core.Builds;

namespace AiStudio.Core.Artifacts;

/// <summary>
/// Turns what a phase hands on into the files people download: named as the document is named,
/// and for code, one file per fenced block at the path the model gave it (made safe).
/// </summary>
public static class ArtifactFiles
{
    public const string Markdown = "text/markdown";
    public const string Yaml = "application/yaml";
    public const string Zip = "application/zip";
    public const string ModelOutputName = "model_output.md";

    private static readonly Dictionary<string, string> ExtensionByLanguage = new(StringComparer.OrdinalIgnoreCase)
    {
        ["csharp"] = "cs", ["cs"] = "cs", ["c#"] = "cs", ["razor"] = "razor", ["cshtml"] = "cshtml",
        ["fsharp"] = "fs", ["fs"] = "fs", ["vb"] = "vb", ["vbnet"] = "vb",
        ["javascript"] = "js", ["js"] = "js", ["jsx"] = "jsx", ["typescript"] = "ts", ["ts"] = "ts", ["tsx"] = "tsx",
        ["python"] = "py", ["py"] = "py", ["java"] = "java", ["kotlin"] = "kt", ["go"] = "go", ["rust"] = "rs",
        ["ruby"] = "rb", ["php"] = "php", ["swift"] = "swift", ["c"] = "c", ["cpp"] = "cpp", ["c++"] = "cpp",
        ["bash"] = "sh", ["sh"] = "sh", ["shell"] = "sh", ["zsh"] = "sh", ["powershell"] = "ps1", ["ps1"] = "ps1", ["pwsh"] = "ps1",
        ["yaml"] = "yml", ["yml"] = "yml", ["json"] = "json", ["xml"] = "xml", ["html"] = "html", ["css"] = "css",
        ["scss"] = "scss", ["sql"] = "sql", ["markdown"] = "md", ["md"] = "md", ["toml"] = "toml", ["ini"] = "ini",
        ["dockerfile"] = "dockerfile", ["docker"] = "dockerfile", ["makefile"] = "mk", ["graphql"] = "graphql",
        ["csv"] = "csv", ["text"] = "txt", ["txt"] = "txt", ["plaintext"] = "txt",
    };

    private static readonly Dictionary<string, string> ContentTypeByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".md"] = Markdown, [".yml"] = Yaml, [".yaml"] = Yaml, [".json"] = "application/json", [".xml"] = "application/xml",
        [".csproj"] = "application/xml", [".props"] = "application/xml", [".targets"] = "application/xml", [".config"] = "application/xml",
        [".html"] = "text/html", [".htm"] = "text/html", [".css"] = "text/css", [".js"] = "text/javascript", [".mjs"] = "text/javascript",
        [".cs"] = "text/x-csharp", [".razor"] = "text/x-razor", [".cshtml"] = "text/x-razor", [".ts"] = "text/x-typescript",
        [".py"] = "text/x-python", [".java"] = "text/x-java", [".go"] = "text/x-go", [".rs"] = "text/x-rust",
        [".sh"] = "text/x-shellscript", [".ps1"] = "text/plain", [".sql"] = "application/sql", [".csv"] = "text/csv",
        [".toml"] = "application/toml", [".txt"] = "text/plain",
    };

    /// <summary>The name of the document a phase hands on, as a file.</summary>
    public static string DocumentName(Phase phase) => phase switch
    {
        Phase.Discovery => "requirements_document.md",
        Phase.Planning => "implementation_plan.md",
        Phase.Implementation => "source_code.md",
        Phase.Testing => "test_cases.md",
        Phase.Verification => "verification_report.md",
        Phase.Deployment => "deployment_config.yml",
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, null),
    };

    /// <summary>"03-implementation": the folder of a phase in a build export.</summary>
    public static string FolderName(Phase phase) =>
        $"{((int)phase).ToString("00", CultureInfo.InvariantCulture)}-{phase.ToString().ToLowerInvariant()}";

    /// <summary>The files of an attempt, made from what it hands on: the reviewer's edit when there is one.</summary>
    public static IReadOnlyList<ArtifactFile> ForRun(PhaseRunView run) => For(run.Phase, run.HandedOnOutput);

    public static IReadOnlyList<ArtifactFile> For(Phase phase, string? output)
    {
        if (string.IsNullOrWhiteSpace(output))
        {
            return [];
        }

        var document = DocumentName(phase);
        return phase switch
        {
            Phase.Implementation => [ArtifactFile.Text(document, Markdown, output), .. SourceFiles(output, document, unnamedToo: true)],
            Phase.Testing => [ArtifactFile.Text(document, Markdown, output), .. SourceFiles(output, document, unnamedToo: false)],
            Phase.Deployment => [ArtifactFile.Text(document, Yaml, DeploymentYaml(output))],
            _ => [ArtifactFile.Text(document, Markdown, output)],
        };
    }

    /// <summary>
    /// One file per fenced block. The path comes from the line before the fence, the fence's info string, or a
    /// "// path" / "# path" first line; a block with none is "file_N.ext" (or skipped, unless <paramref name="unnamedToo"/>).
    /// </summary>
    internal static IEnumerable<ArtifactFile> SourceFiles(string output, string reservedName, bool unnamedToo)
    {
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { reservedName };
        var unnamed = 0;
        foreach (var block in FencedBlocks.Read(output))
        {
            if (string.IsNullOrWhiteSpace(block.Content))
            {
                continue;
            }

            var firstLine = block.Content.Split('\n', 2)[0];
            var path = SafePath.Sanitize(SafePath.FromLine(block.LineBefore) ?? SafePath.FromInfo(block.Info) ?? SafePath.FromComment(firstLine));
            if (path is null)
            {
                if (!unnamedToo)
                {
                    continue;
                }

                path = $"file_{(++unnamed).ToString(CultureInfo.InvariantCulture)}.{ExtensionFor(block.Language)}";
            }

            var name = Unique(path, taken);
            yield return ArtifactFile.Text(name, ContentTypeFor(name), block.Content);
        }
    }

    /// <summary>The yaml blocks of a deployment output (several become one multi-document stream), else the whole output.</summary>
    internal static string DeploymentYaml(string output)
    {
        var yaml = FencedBlocks.Read(output)
            .Where(b => b.Language.Equals("yaml", StringComparison.OrdinalIgnoreCase) || b.Language.Equals("yml", StringComparison.OrdinalIgnoreCase))
            .Where(b => !string.IsNullOrWhiteSpace(b.Content))
            .Select(b => b.Content)
            .ToList();
        return yaml.Count == 0 ? output : string.Join("---\n", yaml);
    }

    public static string ContentTypeFor(string name)
    {
        var extension = Path.GetExtension(name);
        return ContentTypeByExtension.TryGetValue(extension, out var type) ? type : "text/plain";
    }

    public static string ExtensionFor(string? language) =>
        language is not null && ExtensionByLanguage.TryGetValue(language, out var extension) ? extension : "txt";

    /// <summary>"invoice-reminders": lower-case letters and digits joined by '-', for file names.</summary>
    public static string Slug(string? title)
    {
        var slug = new StringBuilder();
        foreach (var c in (title ?? "").Normalize(NormalizationForm.FormD))
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(char.ToLowerInvariant(c));
            }
            else if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark && slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        var text = slug.ToString();
        text = (text.Length > 60 ? text[..60] : text).Trim('-');
        return text.Length == 0 ? "build" : text;
    }

    /// <summary>A zip of the files in the order given, stamped with one time so that the same input gives the same bytes.</summary>
    public static byte[] ZipOf(IEnumerable<ArtifactFile> files, DateTimeOffset stamp)
    {
        // Zip stores local DOS times from 1980 on; a fixed UTC stamp keeps entries reproducible.
        var time = stamp.UtcDateTime < new DateTime(1980, 1, 2, 0, 0, 0, DateTimeKind.Utc) ? new DateTimeOffset(1980, 1, 2, 0, 0, 0, TimeSpan.Zero) : stamp.ToUniversalTime();
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in files)
            {
                var entry = zip.CreateEntry(file.Name, CompressionLevel.Optimal);
                entry.LastWriteTime = time;
                using var stream = entry.Open();
                stream.Write(file.Content);
            }
        }

        return buffer.ToArray();
    }

    private static string Unique(string path, HashSet<string> taken)
    {
        if (taken.Add(path))
        {
            return path;
        }

        var extension = Path.GetExtension(path);
        var stem = path[..^extension.Length];
        for (var n = 2; ; n++)
        {
            var candidate = $"{stem}-{n.ToString(CultureInfo.InvariantCulture)}{extension}";
            if (taken.Add(candidate))
            {
                return candidate;
            }
        }
    }
}
