using System.Text.RegularExpressions;

namespace AiStudio.Core.Artifacts;

/// <summary>A fenced code block of a markdown text, with the line written just before it.</summary>
internal sealed record FencedBlock(string Language, string Info, string Content, string? LineBefore);

/// <summary>Reads fenced code blocks the way CommonMark does: ``` or ~~~, a closing fence at least as long.</summary>
internal static partial class FencedBlocks
{
    public static IReadOnlyList<FencedBlock> Read(string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        var blocks = new List<FencedBlock>();
        string? lineBefore = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var open = OpeningFence().Match(lines[i]);
            if (!open.Success || (open.Groups["fence"].Value[0] == '`' && open.Groups["info"].Value.Contains('`')))
            {
                if (!string.IsNullOrWhiteSpace(lines[i]))
                {
                    lineBefore = lines[i];
                }

                continue;
            }

            var fence = open.Groups["fence"].Value;
            var info = open.Groups["info"].Value.Trim();
            var indent = open.Groups["indent"].Value.Length;
            var content = new List<string>();
            for (i++; i < lines.Length && !IsClosing(lines[i], fence); i++)
            {
                content.Add(Unindent(lines[i], indent));
            }

            // An unclosed fence runs to the end of the text, as in CommonMark.
            var language = info.Split([' ', '\t', ':', '{'], 2)[0];
            blocks.Add(new FencedBlock(language, info, content.Count == 0 ? "" : string.Join('\n', content) + "\n", lineBefore));
            lineBefore = null;
        }

        return blocks;
    }

    private static bool IsClosing(string line, string fence)
    {
        var close = ClosingFence().Match(line);
        return close.Success && close.Groups["fence"].Value[0] == fence[0] && close.Groups["fence"].Value.Length >= fence.Length;
    }

    private static string Unindent(string line, int indent)
    {
        var remove = 0;
        while (remove < indent && remove < line.Length && line[remove] == ' ')
        {
            remove++;
        }

        return line[remove..];
    }

    [GeneratedRegex(@"^(?<indent> {0,3})(?<fence>`{3,}|~{3,})(?<info>.*)$")]
    private static partial Regex OpeningFence();

    [GeneratedRegex(@"^ {0,3}(?<fence>`{3,}|~{3,})[ \t]*$")]
    private static partial Regex ClosingFence();
}
