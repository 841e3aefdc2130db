"""TestContainers Magic: the shared code behind the show, the course and the tools.

Data flows one way: entry scripts -> lab.web / lab.course -> votes, ratelimit, containers.
"""
