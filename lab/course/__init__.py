"""The self-paced workshop: lessons, the hands-on exercise and its checker, saved progress.

workshop.py -> runner.run_workshop -> a lesson (lab.course.lessons.*) with a LessonContext.
"""
