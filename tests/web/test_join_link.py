"""The audience's URLs and QR codes (lab/web/audience.py)."""

from lab.web.join_link import allowed_origins, base_url, codespace_visibility_command, qr_matrix, qr_svg, qr_terminal, vote_url

CODESPACE = {"CODESPACE_NAME": "fuzzy-robot-x7", "GITHUB_CODESPACES_PORT_FORWARDING_DOMAIN": "app.github.dev"}


def test_in_a_codespace_the_audience_url_is_the_forwarded_port():
    assert base_url(5001, "https://ignored.example", CODESPACE) == "https://fuzzy-robot-x7-5001.app.github.dev"
    assert codespace_visibility_command(5001, CODESPACE) == "gh codespace ports visibility 5001:public -c fuzzy-robot-x7"


def test_outside_a_codespace_the_public_url_wins_over_the_lan_address():
    assert base_url(5001, "https://show.example.org/", {}, lan="10.0.0.7") == "https://show.example.org"
    assert base_url(5001, None, {}, lan="10.0.0.7") == "http://10.0.0.7:5001"
    assert codespace_visibility_command(5001, {}) is None


def test_the_qr_code_points_at_the_vote_page_and_only_listed_origins_may_open_sockets():
    assert vote_url("http://10.0.0.7:5001") == "http://10.0.0.7:5001/qr"
    assert allowed_origins("https://show.example.org", 5001) == [
        "https://show.example.org", "http://localhost:5001", "http://127.0.0.1:5001"
    ]


def test_a_qr_matrix_is_square_with_a_light_quiet_zone_and_three_finder_patterns():
    matrix = qr_matrix("http://10.0.0.7:5001/qr", border=2)
    size = len(matrix)

    assert all(len(row) == size for row in matrix)
    assert not any(matrix[0]) and not any(row[0] for row in matrix)
    finder = [row[2:9] for row in matrix[2:9]]
    assert finder[0] == [True] * 7 and finder[3] == [True, False, True, True, True, False, True]
    assert matrix[2][size - 3] and matrix[size - 3][2]


def test_the_terminal_qr_packs_two_rows_per_line_and_the_svg_draws_every_dark_module():
    matrix = qr_matrix("https://show.example.org/qr")

    lines = qr_terminal(matrix).splitlines()
    svg = qr_svg(matrix)

    assert len(lines) == (len(matrix) + 1) // 2
    assert all(len(line) == len(matrix) for line in lines)
    assert svg.count("h1v1h-1z") == sum(map(sum, matrix))
