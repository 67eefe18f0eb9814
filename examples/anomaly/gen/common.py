"""Parts shared by the generated detectors: the command line, reading a file or standard input,
and a few densities. See sirs.py for the notation."""

from sirs import (BREAK, CONTINUE, E, do, fn, for_in, if_, let, match_enum, ret, set_, throw, var,
                  while_)


def parse_option(prog, flag, target, kind, check, message):
    """`--flag VALUE` into the mutable `target` (kind "f64" or "i64"); `check` is a condition on
    `v` that the value must meet, else the program stops with `message`."""
    parse = "str_parse_float" if kind == "f64" else "str_parse_int"
    return if_(f'a == "{flag}"', [
        if_("i + 1 >= len(args)", [throw(f'"{prog}: {flag} needs a value"')]),
        match_enum(f"{parse}(args[i + 1])", "Result", [
            ("Ok", "v", [
                if_(f"!({check})", [throw(f'"{prog}: {flag} {message}, found " + args[i + 1]')]),
                set_(target, "v")]),
            ("Err", "_e", [throw(f'"{prog}: {flag} needs a number, found \'" + args[i + 1] + "\'"')]),
        ]),
        set_("i", "i + 2"),
        CONTINUE])


def main(prog, options, header, make, min_columns):
    """The entry: options (a list of (flag, variable, kind, default, check, message)), then a
    file argument or standard input; each row goes through `step` and `report`. `make` is the
    expression building the detector from the option variables. A row with fewer than
    `min_columns` values (timestamp included) stops the program with its line."""
    body = [var(v, default) for (_, v, _, default, _, _) in options]
    body += [var("file", '""'), var("i", "0"), while_("i < len(args)", [
        let("a", "args[i]"),
        *[parse_option(prog, flag, v, kind, check, msg) for (flag, v, kind, _, check, msg) in options],
        if_('str_starts_with(a, "--")', [throw(f'"{prog}: unknown option " + a')]),
        if_('file != ""', [throw(f'"{prog}: one input file at most, found " + file + " and " + a')]),
        set_("file", "a"),
        set_("i", "i + 1")])]
    body += [var("d", make), do(f'print("{header}")')]
    check_row = if_(f"len(row) < {min_columns}", [
        throw(f'"{prog}: " + source + ":" + to_string(line_no) + ": expected {min_columns - 1} value column(s) after the timestamp"')])
    body += [if_('file != ""', [
        match_enum("metrics_read(file)", "Result", [
            ("Ok", "rows", [var("line_no", "1"), let("source", "file"), for_in("row", "rows", [
                set_("line_no", "line_no + 1"), check_row,
                set_("d", "step(d, row)"), do("report(row, d)")])]),
            ("Err", "e", [throw("e")])]),
        ret()])]
    body += [var("line_no", "0"), let("source", '"<stdin>"'), while_("true", [
        match_enum("stdin_read_line()", "Option", [
            ("Some", "line", [
                set_("line_no", "line_no + 1"),
                if_('line_no == 1 || str_trim(line) == ""', [CONTINUE]),
                match_enum('metric_parse_row(line, "<stdin>", line_no)', "Result", [
                    ("Ok", "row", [check_row, set_("d", "step(d, row)"), do("report(row, d)")]),
                    ("Err", "e", [throw("e")])])]),
            ("None", None, [BREAK])])])]
    return fn("args: [str]", "void", body, "")


def densities():
    """student_t_lpdf and friends, as plain functions (outside a model)."""
    return {
        "student_t_lpdf": fn("x: f64, nu: f64, loc: f64, sc: f64", "f64", [
            let("z", "(x - loc) / sc"),
            ret("lgamma(0.5 * (nu + 1.0)) - lgamma(0.5 * nu) - 0.5 * math_log(nu * math_pi()) - math_log(sc)"
                " - 0.5 * (nu + 1.0) * log1p(z * z / nu)")],
            "log density at x of a Student-t distribution (nu degrees of freedom, location loc, scale sc)"),
        "t_quantile_975": fn("nu: f64", "f64", [
            let("z", "1.959964"),
            let("g1", "(z * z * z + z) / 4.0"),
            let("g2", "(5.0 * z * z * z * z * z + 16.0 * z * z * z + 3.0 * z) / 96.0"),
            let("g3", "(3.0 * math_pow(z, 7.0) + 19.0 * math_pow(z, 5.0) + 17.0 * z * z * z - 15.0 * z) / 384.0"),
            ret("z + g1 / nu + g2 / (nu * nu) + g3 / (nu * nu * nu)")],
            "the 0.975 quantile of a standard Student-t with nu degrees of freedom (Cornish-Fisher expansion to 1/nu^3)"),
        "fmt": fn("x: f64", "str", [ret("to_string(x)")],
                  "a number for the output: the shortest text that reads back"),
    }
