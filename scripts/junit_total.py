"""Sums pytest JUnit XML reports into one closing line: `total: N passed, N failed, N skipped`.

A missing report counts as a failure (the phase did not run to the end).
Exit status 1 when anything failed, errored or was skipped.
"""
import argparse
import sys
import xml.etree.ElementTree as ET


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('reports', nargs='+')
    parser.add_argument('--seconds', type=int, default=0)
    args = parser.parse_args()
    passed = failed = skipped = 0
    for path in args.reports:
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError):
            print('missing report: %s (that phase did not finish)' % path)
            failed += 1
            continue
        suites = [root] if root.tag == 'testsuite' else root.findall('testsuite')
        for suite in suites:
            tests = int(suite.get('tests', 0))
            bad = int(suite.get('failures', 0)) + int(suite.get('errors', 0))
            skip = int(suite.get('skipped', 0))
            passed += tests - bad - skip
            failed += bad
            skipped += skip
    if skipped:
        print('%d test(s) skipped: a skipped test is a failure here (nothing may be left out silently)' % skipped)
    print('whole suite: %d s' % args.seconds)
    print('total: %d passed, %d failed, %d skipped' % (passed, failed, skipped))
    return 1 if failed or skipped else 0


if __name__ == '__main__':
    sys.exit(main())
