<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es" sourcelanguage="en">
  <context>
    <name>Handout</name>
    <message>
      <source>Your next steps</source>
      <translation>Sus próximos pasos</translation>
    </message>
    <message>
      <source>Information about your case and what you can do</source>
      <translation>Información sobre su caso y lo que usted puede hacer</translation>
    </message>
    <message>
      <source>This sheet explains, in plain words, what has been done about the images and what you can do next. Keep it somewhere private.</source>
      <translation>Esta hoja explica, con palabras sencillas, lo que se ha hecho con las imágenes y lo que usted puede hacer ahora. Guárdela en un lugar privado.</translation>
    </message>
    <message>
      <source>First: help for people under 18</source>
      <translation>Primero: ayuda para personas menores de 18 años</translation>
    </message>
    <message>
      <source>NCMEC's CyberTipline (report.cybertip.org, or call 1-800-843-5678) takes reports of sexual images of people under 18. Your advocate or a trusted adult can make the report with you, using the addresses, not the images.</source>
      <translation>La CyberTipline del NCMEC (report.cybertip.org, o llame al 1-800-843-5678) recibe denuncias de imágenes sexuales de personas menores de 18 años. Su persona de apoyo o un adulto de confianza puede hacer la denuncia con usted, usando las direcciones, no las imágenes.</translation>
    </message>
    <message>
      <source>Take It Down (takeitdown.ncmec.org) helps remove images taken when you were under 18. It is free and you do not have to give your name. On your own phone or computer you choose the images and it makes a digital fingerprint (a "hash") of each one. Only the fingerprints are shared with the platforms that take part, so they can find and remove copies. Your images are not uploaded and nobody sees them.</source>
      <translation>Take It Down (takeitdown.ncmec.org) ayuda a retirar imágenes tomadas cuando usted era menor de 18 años. Es gratis y no tiene que dar su nombre. En su propio teléfono o computadora, usted elige las imágenes y el servicio crea una huella digital (un "hash") de cada una. Solo se comparten las huellas con las plataformas que participan, para que puedan encontrar y retirar las copias. Sus imágenes no se suben y nadie las ve.</translation>
    </message>
    <message>
      <source>What has been done so far</source>
      <translation>Lo que se ha hecho hasta ahora</translation>
    </message>
    <message>
      <source>Under the TAKE IT DOWN Act, a platform that receives a valid removal request has {{ deadline_hours }} hours to take the images down. We keep checking the addresses, and we follow up if the deadline passes.</source>
      <translation>Según la Ley TAKE IT DOWN, una plataforma que recibe una solicitud de retiro válida tiene {{ deadline_hours }} horas para retirar las imágenes. Seguimos comprobando las direcciones, y hacemos seguimiento si el plazo vence.</translation>
    </message>
    <message>
      <source>About the copyright notice (DMCA)</source>
      <translation>Sobre el aviso de derechos de autor (DMCA)</translation>
    </message>
    <message>
      <source>A copyright notice is different from the other requests. The platform sends it to the person who uploaded the images, with the name and contact details of whoever signed it. That person can answer with a "counter-notice". If they do, the platform puts the images back after 10 to 14 working days, unless a court case is started against them first. A court case about copyright needs the copyright to be registered with the U.S. Copyright Office first, which takes time and costs a fee. Ask us before you agree to a copyright notice in your own name. A TAKE IT DOWN Act request has no counter-notice that brings the images back.</source>
      <translation>Un aviso de derechos de autor es distinto de las otras solicitudes. La plataforma se lo envía a la persona que subió las imágenes, con el nombre y los datos de contacto de quien lo firmó. Esa persona puede responder con una "contranotificación". Si lo hace, la plataforma vuelve a publicar las imágenes después de 10 a 14 días hábiles, salvo que antes se inicie un juicio contra ella. Un juicio sobre derechos de autor exige registrar primero los derechos en la Oficina de Derechos de Autor de EE. UU., lo que lleva tiempo y cuesta dinero. Consúltenos antes de aceptar un aviso de derechos de autor a su nombre. Una solicitud según la Ley TAKE IT DOWN no tiene ninguna contranotificación que haga volver las imágenes.</translation>
    </message>
    <message>
      <source>What happens next</source>
      <translation>Lo que pasa ahora</translation>
    </message>
    <message>
      <source>We will tell you when a platform answers or removes the images.</source>
      <translation>Le avisaremos cuando una plataforma responda o retire las imágenes.</translation>
    </message>
    <message>
      <source>If a platform does not act in time, we will send a follow-up{% if not minor %} and can report it to the Federal Trade Commission{% endif %}.</source>
      <translation>Si una plataforma no actúa a tiempo, enviaremos una carta de seguimiento{% if not minor %} y podemos denunciarlo ante la Comisión Federal de Comercio (FTC){% endif %}.</translation>
    </message>
    <message>
      <source>Please keep any messages, usernames or links you have. Do not delete them, even if they are upsetting: they are evidence. You do not need to look at them again.</source>
      <translation>Por favor, guarde los mensajes, nombres de usuario o enlaces que tenga. No los borre, aunque le resulten dolorosos: son pruebas. No necesita volver a mirarlos.</translation>
    </message>
    <message>
      <source>Talk to us before you contact the person who posted the images.</source>
      <translation>Hable con nosotros antes de contactar a la persona que publicó las imágenes.</translation>
    </message>
    <message>
      <source>Going to the police is your choice. You can report what happened to the police if and when you want to, now, later or not at all. If you decide to, we can help you prepare and go with you.</source>
      <translation>Ir a la policía es su decisión. Puede denunciar lo ocurrido a la policía si quiere y cuando quiera: ahora, más adelante o nunca. Si lo decide, podemos ayudarle a prepararse y acompañarle.</translation>
    </message>
    <message>
      <source>You can also talk to the police about what happened, whenever you feel ready. We can help you and a trusted adult do that, and go with you.</source>
      <translation>También puede hablar con la policía sobre lo ocurrido, cuando se sienta preparado/a. Podemos ayudarle a usted y a un adulto de confianza a hacerlo, y acompañarles.</translation>
    </message>
    <message>
      <source>What you can do yourself, from your own device</source>
      <translation>Lo que usted puede hacer, desde su propio dispositivo</translation>
    </message>
    <message>
      <source>StopNCII.org (for people 18 or older) helps stop intimate images from being shared on the platforms that take part, such as Facebook, Instagram and TikTok. You choose the images on your own phone or computer; the site makes a digital fingerprint (a "hash") of each image on your device and shares only that fingerprint. Your images are not uploaded and nobody sees them. Keep the case number it gives you.</source>
      <translation>StopNCII.org (para personas de 18 años o más) ayuda a evitar que se compartan imágenes íntimas en las plataformas que participan, como Facebook, Instagram y TikTok. Usted elige las imágenes en su propio teléfono o computadora; el sitio crea una huella digital (un "hash") de cada imagen en su dispositivo y comparte solo esa huella. Sus imágenes no se suben y nadie las ve. Guarde el número de caso que le den.</translation>
    </message>
    <message>
      <source>Take It Down and the CyberTipline are described at the top of this sheet.</source>
      <translation>Take It Down y la CyberTipline se describen al principio de esta hoja.</translation>
    </message>
    <message>
      <source>Use your own device, not a shared, school or work computer.</source>
      <translation>Use su propio dispositivo, no una computadora compartida, de la escuela o del trabajo.</translation>
    </message>
    <message>
      <source>You can ask a trusted adult or your advocate to sit with you while you do it.</source>
      <translation>Puede pedirle a un adulto de confianza o a su persona de apoyo que le acompañe mientras lo hace.</translation>
    </message>
    <message>
      <source>Support</source>
      <translation>Apoyo</translation>
    </message>
    <message>
      <source>Cyber Civil Rights Initiative crisis helpline: 844-878-2274 (free and confidential), cybercivilrights.org.</source>
      <translation>Línea de crisis de la Cyber Civil Rights Initiative: 844-878-2274 (gratuita y confidencial), cybercivilrights.org.</translation>
    </message>
    <message>
      <source>988 Suicide &amp; Crisis Lifeline: call or text 988, any time.</source>
      <translation>988 Línea de Prevención del Suicidio y Crisis: llame o envíe un mensaje de texto al 988, a cualquier hora (también en español).</translation>
    </message>
    <message>
      <source>If you are in danger right now, call 911.</source>
      <translation>Si está en peligro ahora mismo, llame al 911.</translation>
    </message>
    <message>
      <source>Your contact</source>
      <translation>Su contacto</translation>
    </message>
    <message>
      <source>Prepared by</source>
      <translation>Preparado por</translation>
    </message>
    <message>
      <source>E-mail</source>
      <translation>Correo electrónico</translation>
    </message>
    <message>
      <source>Phone</source>
      <translation>Teléfono</translation>
    </message>
    <message>
      <source>Your case reference</source>
      <translation>Referencia de su caso</translation>
    </message>
    <message>
      <source>Date</source>
      <translation>Fecha</translation>
    </message>
    <message>
      <source>General information, not legal advice. Ask your advocate about your own situation.</source>
      <translation>Información general, no asesoría legal. Consulte a su persona de apoyo sobre su propia situación.</translation>
    </message>
    <message>
      <source>Removal request (TAKE IT DOWN Act)</source>
      <translation>Solicitud de retiro (Ley TAKE IT DOWN)</translation>
    </message>
    <message>
      <source>Report through the platform's own channel</source>
      <translation>Denuncia por el canal propio de la plataforma</translation>
    </message>
    <message>
      <source>Request to remove search results</source>
      <translation>Solicitud para quitar resultados de búsqueda</translation>
    </message>
    <message>
      <source>Copyright notice (DMCA)</source>
      <translation>Aviso de derechos de autor (DMCA)</translation>
    </message>
    <message>
      <source>Request to keep records for a legal claim</source>
      <translation>Solicitud para conservar registros para una demanda</translation>
    </message>
    <message>
      <source>Report details for NCMEC</source>
      <translation>Datos de denuncia para el NCMEC</translation>
    </message>
    <message>
      <source>prepared, not sent yet</source>
      <translation>preparada, sin enviar todavía</translation>
    </message>
    <message>
      <source>sent, waiting for an answer</source>
      <translation>enviada, esperando respuesta</translation>
    </message>
    <message>
      <source>the platform answered</source>
      <translation>la plataforma respondió</translation>
    </message>
    <message>
      <source>removed</source>
      <translation>retirado</translation>
    </message>
    <message>
      <source>the platform refused</source>
      <translation>la plataforma se negó</translation>
    </message>
    <message>
      <source>deadline passed, we are following up</source>
      <translation>el plazo venció, estamos haciendo seguimiento</translation>
    </message>
    <message>
      <source>Platform</source>
      <translation>Plataforma</translation>
    </message>
    <message>
      <source>What was sent</source>
      <translation>Qué se envió</translation>
    </message>
    <message>
      <source>Sent</source>
      <translation>Enviada</translation>
    </message>
    <message>
      <source>Status</source>
      <translation>Estado</translation>
    </message>
    <message>
      <source>No requests have been recorded yet.</source>
      <translation>Todavía no se ha registrado ninguna solicitud.</translation>
    </message>
  </context>
  <context>
    <name>Covered</name>
    <message>
      <source>Is this site a covered platform under the TAKE IT DOWN Act (47 U.S.C. § 223a)?</source>
      <translation>¿Es este sitio una plataforma cubierta según la Ley TAKE IT DOWN (47 U.S.C. § 223a)?</translation>
    </message>
    <message>
      <source>In plain words: a covered platform is a website, online service or app (including a mobile app) open to the public that mainly offers a place for content its users post (messages, pictures, videos, audio, games), or whose regular business is publishing, curating, hosting or making available non-consensual intimate images. Not covered: broadband internet access providers; e-mail; and a service made up mainly of content the provider itself chose in advance (not posted by users), where any chat, comment or other interactive feature is only incidental to, directly related to, or dependent on that content. This is a summary, not the statute's text: check the current definition before relying on it.</source>
      <translation>En palabras sencillas: una plataforma cubierta es un sitio web, servicio en línea o aplicación (incluidas las aplicaciones móviles) abierto al público que ofrece sobre todo un espacio para el contenido que publican sus usuarios (mensajes, imágenes, videos, audio, juegos), o cuya actividad habitual es publicar, seleccionar, alojar o poner a disposición imágenes íntimas sin consentimiento. No están cubiertos: los proveedores de acceso a internet de banda ancha; el correo electrónico; y un servicio formado sobre todo por contenido que el propio proveedor eligió de antemano (no publicado por usuarios), en el que cualquier chat, comentario u otra función interactiva es solo secundaria, está directamente relacionada con ese contenido o depende de él. Esto es un resumen, no el texto de la ley: compruebe la definición vigente antes de basarse en ella.</translation>
    </message>
    <message>
      <source>Yes: it is a covered platform (the 48-hour removal duty applies)</source>
      <translation>Sí: es una plataforma cubierta (se aplica la obligación de retirar en 48 horas)</translation>
    </message>
    <message>
      <source>No: it is not a covered platform (ask for removal under its own policies)</source>
      <translation>No: no es una plataforma cubierta (pedir el retiro según sus propias normas)</translation>
    </message>
    <message>
      <source>Not sure (ask for removal under its own policies; mention the Act)</source>
      <translation>No estoy seguro/a (pedir el retiro según sus propias normas; mencionar la Ley)</translation>
    </message>
  </context>
</TS>
