<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es" sourcelanguage="en">
  <context>
    <name>Handout</name>
    <message>
      <source>Your next steps</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Information about your case and what you can do</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>This sheet explains, in plain words, what has been done about the images and what you can do next. Keep it somewhere private.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>First: help for people under 18</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>NCMEC's CyberTipline (report.cybertip.org, or call 1-800-843-5678) takes reports of sexual images of people under 18. Your advocate or a trusted adult can make the report with you, using the addresses, not the images.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Take It Down (takeitdown.ncmec.org) helps remove images taken when you were under 18. It is free and you do not have to give your name. On your own phone or computer you choose the images and it makes a digital fingerprint (a "hash") of each one. Only the fingerprints are shared with the platforms that take part, so they can find and remove copies. Your images are not uploaded and nobody sees them.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>What has been done so far</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Under the TAKE IT DOWN Act, a platform that receives a valid removal request has {{ deadline_hours }} hours to take the images down. We keep checking the addresses, and we follow up if the deadline passes.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>About the copyright notice (DMCA)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>A copyright notice is different from the other requests. The platform sends it to the person who uploaded the images, with the name and contact details of whoever signed it. That person can answer with a "counter-notice". If they do, the platform puts the images back after 10 to 14 working days, unless a court case is started against them first. A court case about copyright needs the copyright to be registered with the U.S. Copyright Office first, which takes time and costs a fee. Ask us before you agree to a copyright notice in your own name. A TAKE IT DOWN Act request has no counter-notice that brings the images back.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>What happens next</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>We will tell you when a platform answers or removes the images.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>If a platform does not act in time, we will send a follow-up{% if not minor %} and can report it to the Federal Trade Commission{% endif %}.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Please keep any messages, usernames or links you have. Do not delete them, even if they are upsetting: they are evidence. You do not need to look at them again.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Talk to us before you contact the person who posted the images.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Going to the police is your choice. You can report what happened to the police if and when you want to, now, later or not at all. If you decide to, we can help you prepare and go with you.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>You can also talk to the police about what happened, whenever you feel ready. We can help you and a trusted adult do that, and go with you.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>What you can do yourself, from your own device</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>StopNCII.org (for people 18 or older) helps stop intimate images from being shared on the platforms that take part, such as Facebook, Instagram and TikTok. You choose the images on your own phone or computer; the site makes a digital fingerprint (a "hash") of each image on your device and shares only that fingerprint. Your images are not uploaded and nobody sees them. Keep the case number it gives you.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Take It Down and the CyberTipline are described at the top of this sheet.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Use your own device, not a shared, school or work computer.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>You can ask a trusted adult or your advocate to sit with you while you do it.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Support</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Cyber Civil Rights Initiative crisis helpline: 844-878-2274 (free and confidential), cybercivilrights.org.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>988 Suicide &amp; Crisis Lifeline: call or text 988, any time.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>If you are in danger right now, call 911.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Your contact</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Prepared by</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>E-mail</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Phone</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Your case reference</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Date</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>General information, not legal advice. Ask your advocate about your own situation.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Removal request (TAKE IT DOWN Act)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Report through the platform's own channel</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Request to remove search results</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Copyright notice (DMCA)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Request to keep records for a legal claim</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Report details for NCMEC</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>prepared, not sent yet</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>sent, waiting for an answer</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>the platform answered</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>removed</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>the platform refused</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>deadline passed, we are following up</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Platform</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>What was sent</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Sent</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>Status</source>
      <translation type="unfinished" />
    </message>
    <message>
      <source>No requests have been recorded yet.</source>
      <translation type="unfinished" />
    </message>
  </context>
</TS>
